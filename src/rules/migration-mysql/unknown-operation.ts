import { mysqlMigrationRule } from "./mysql-migration-rule.js";

/** An ALTER operation dbopt's online DDL tables do not cover (ORDER BY, ENABLE KEYS, SECONDARY_LOAD): say so, never guess. */
export const unknownOperation = mysqlMigrationRule({
  id: "migration-mysql/unknown-operation",
  title: "ALTER operation not in the online DDL tables",
  description:
    "An ALTER TABLE operation dbopt does not know the algorithm and lock of (ORDER BY, ENABLE/DISABLE KEYS, SECONDARY_LOAD, table options it does not model): dbopt migrate trace asks the server.",
  maxSeverity: "info",
  docsUrl: "https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html",
  check(st) {
    if (!st.plan.unknown.length) return [];
    return [
      {
        severity: "info",
        title: `algorithm and lock not known for: ${st.plan.unknown.join("; ")}`,
        detail:
          "dbopt's tables of online DDL do not cover this operation, so it does not say whether it copies or blocks the table.",
        fix: {
          note: "run dbopt migrate trace --db URL --sandbox on a copy: it asks the server which algorithm and lock it accepts, and times it",
        },
      },
    ];
  },
});
