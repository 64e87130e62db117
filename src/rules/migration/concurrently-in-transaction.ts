import { migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/** The statements PostgreSQL refuses inside a transaction block: the migration fails at this line. */
export const concurrentlyInTransaction = migrationRule({
  id: "migration/concurrently-in-transaction",
  title: "Statement that cannot run inside a transaction",
  description:
    "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, ALTER TABLE ... DETACH PARTITION CONCURRENTLY and VACUUM fail inside a transaction block. Migration runners often wrap each file in one (use --assume-in-transaction for those).",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
  check(st) {
    if (st.transaction === null) return [];
    const what = refusedInTransaction(st.stmt);
    if (!what) return [];
    return [
      {
        severity: "error",
        title: `${what} cannot run inside a transaction block`,
        detail: `PostgreSQL raises "${what} cannot run inside a transaction block" here, and the migration stops.`,
        fix: {
          note: "Move the statement to a migration of its own that runs outside a transaction (Prisma: its own migration; node-pg-migrate: pgm.noTransaction(); Knex: config.transaction = false; Drizzle: a separate file run without a transaction).",
        },
      },
    ];
  },
});

function refusedInTransaction(stmt: Node): string | null {
  if ((stmt.IndexStmt as Node | undefined)?.concurrent) return "CREATE INDEX CONCURRENTLY";
  const drop = stmt.DropStmt as Node | undefined;
  if (drop?.concurrent) return "DROP INDEX CONCURRENTLY";
  const reindex = stmt.ReindexStmt as Node | undefined;
  if (
    ((reindex?.params as Node[]) ?? []).some(
      (p) => (p.DefElem as Node | undefined)?.defname === "concurrently",
    )
  )
    return "REINDEX CONCURRENTLY";
  const vacuum = stmt.VacuumStmt as Node | undefined;
  if (vacuum?.is_vacuumcmd) return "VACUUM";
  const alter = stmt.AlterTableStmt as Node | undefined;
  for (const c of (alter?.cmds as Node[]) ?? []) {
    const cmd = c.AlterTableCmd as Node;
    const partition = (cmd.def as Node | undefined)?.PartitionCmd as Node | undefined;
    if (cmd.subtype === "AT_DetachPartition" && partition?.concurrent)
      return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
  }
  return null;
}
