import { bodyOf, migrationRule } from "./migration-rule.js";

/** A migration that drops a database: never what a schema change of a running application means to do. */
export const dropDatabase = migrationRule({
  id: "migration/drop-database",
  title: "DROP DATABASE in a migration",
  description:
    "DROP DATABASE deletes every table, row and object of a database, irreversibly and with no lock to wait for once nobody is connected (WITH (FORCE) disconnects them). A migration run against the wrong target, or replayed, destroys it. Keep database creation and removal out of migrations.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-dropdatabase.html",
  check(st) {
    const drop = bodyOf(st, "DropdbStmt");
    if (!drop) return [];
    return [
      {
        severity: "error",
        title: `DROP DATABASE ${String(drop.dbname)} destroys a whole database`,
        detail:
          "Every table and row of the database is deleted when this runs, and it cannot be rolled back (it refuses a transaction block).",
        fix: {
          note: "Remove it from the migration; drop databases by hand, after a backup, with the target checked.",
        },
      },
    ];
  },
});
