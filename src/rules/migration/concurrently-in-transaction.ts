import { refusedInTransaction } from "../../facts/migration/lock-model.js";
import { migrationRule } from "./migration-rule.js";

/** The statements PostgreSQL refuses inside a transaction block: the migration fails at this line. */
export const concurrentlyInTransaction = migrationRule({
  id: "migration/concurrently-in-transaction",
  title: "Statement that cannot run inside a transaction",
  description:
    "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, ALTER TABLE ... DETACH PARTITION CONCURRENTLY and VACUUM fail inside a transaction block. Migration runners often wrap each file in one (use --assume-in-transaction for those).",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
  check(st, facts) {
    if (st.transaction === null) return [];
    const what = refusedInTransaction(st.stmt);
    if (!what) return [];
    // A file of this one statement, wrapped only by the runner (--assume-in-transaction): some runners (Flyway)
    // run such a file outside a transaction by themselves, and others are told so per migration.
    const alone =
      st.transaction === st.file && facts.statements.filter((s) => s.file === st.file).length === 1;
    return [
      {
        severity: alone ? "warning" : "error",
        title: `${what} cannot run inside a transaction block`,
        detail: alone
          ? `This file holds only this statement: if the runner wraps it in a transaction, PostgreSQL raises "${what} cannot run inside a transaction block" and the migration stops. Flyway runs such a file outside a transaction by itself; other runners must be told for this migration.`
          : `PostgreSQL raises "${what} cannot run inside a transaction block" here, and the migration stops.`,
        fix: {
          note: "Move the statement to a migration of its own that runs outside a transaction (Django: atomic = False; Rails: disable_ddl_transaction!; Alembic: autocommit_block(); Prisma: its own migration; node-pg-migrate: pgm.noTransaction(); Knex: config.transaction = false; Drizzle: a separate file run without a transaction).",
        },
      },
    ];
  },
});
