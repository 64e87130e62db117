import type { AlterOperation } from "../../facts/migration-mysql/mysql-ddl.js";
import { mysqlMigrationRule, tableLabel } from "./mysql-migration-rule.js";

type Tablespace = Extract<AlterOperation, { kind: "tablespace" }>;

/**
 * ALTER TABLE ... DISCARD TABLESPACE / IMPORT TABLESPACE of a whole table: no copy, but an exclusive lock, and in
 * between the table is unusable (every read and write fails with ERROR 1814 until a file is imported). The online
 * DDL tables do not list them; what they do is in facts/migration-mysql/online-ddl-support.ts (tablespaceSupport).
 */
export const transportTablespace = mysqlMigrationRule({
  id: "migration-mysql/transport-tablespace",
  title: "DISCARD or IMPORT TABLESPACE takes the table offline",
  description:
    "ALTER TABLE ... DISCARD TABLESPACE deletes the table's .ibd file: every read and write of the table fails (ERROR 1814) until ALTER TABLE ... IMPORT TABLESPACE brings a file back, which holds an exclusive lock (reads wait too) while it reads the whole file and does not check foreign keys.",
  maxSeverity: "error",
  docsUrl: "https://dev.mysql.com/doc/refman/8.0/en/innodb-table-import.html",
  check(st, facts) {
    if (st.ddl.kind !== "alter-table" || st.plan.refused) return [];
    const op = st.ddl.operations.find((o): o is Tablespace => o.kind === "tablespace");
    if (!op) return [];
    const table = tableLabel(st.ddl.table);
    if (op.action === "DISCARD") {
      const name = st.ddl.table.name.toLowerCase();
      const sameTable = (t: { schema: string | null; name: string }) => t.name.toLowerCase() === name;
      const imported = facts.statements
        .slice(facts.statements.indexOf(st) + 1)
        .some(
          (o) =>
            o.ddl.kind === "alter-table" &&
            sameTable(o.ddl.table) &&
            o.ddl.operations.some((x) => x.kind === "tablespace" && x.action === "IMPORT"),
        );
      return [
        {
          severity: "error",
          title: `DISCARD TABLESPACE deletes ${table}'s data file: the table is unusable until IMPORT TABLESPACE`,
          detail: `Every read and write of ${table} fails with ERROR 1814 ("Tablespace has been discarded") from this statement until an ALTER TABLE ... IMPORT TABLESPACE brings a file back${imported ? " (later in this migration set)" : "; nothing in this migration imports one"}. The statement itself waits for every open transaction on the table (an exclusive metadata lock). The rows are gone unless the .ibd file was copied first (FLUSH TABLES ${table} FOR EXPORT on the source).`,
          fix: {
            note: "Keep DISCARD/IMPORT out of a deploy migration: restore or move a table as an operation with the application off that table. To replace a table's contents online, load a new table and swap it in with one RENAME TABLE t TO t_old, t_new TO t. If the table has foreign keys, foreign_key_checks must be 0 for DISCARD, and IMPORT does not check them.",
          },
        },
      ];
    }
    return [
      {
        severity: "warning",
        bySize: true,
        title: `IMPORT TABLESPACE holds an exclusive lock on ${table} while it reads the whole file`,
        detail:
          "The server reads and adjusts every page of the imported .ibd file under an exclusive metadata lock: reads and writes of the table wait as long as the file takes to read. The imported rows' foreign keys are not checked, and the file must come from a table of the same definition (FLUSH TABLES ... FOR EXPORT writes the .cfg that checks it).",
        fix: {
          note: "Run it with the application off the table, after FLUSH TABLES ... FOR EXPORT on the source; check the foreign keys after (a LEFT JOIN for rows without a parent).",
        },
      },
    ];
  },
});
