import { listParts, relationParts } from "../../facts/migration/lock-model.js";
import { isExistingTable, type MigrationStatement } from "../../facts/migration/migration-set.js";
import { qname, sql } from "../../util/sql-text.js";
import { bodyOf, migrationRule } from "./migration-rule.js";
import { ownStatement } from "./statement-text.js";

type Node = Record<string, unknown>;

/**
 * CREATE INDEX CONCURRENTLY runs outside a transaction, so a failure (a lock timeout, a duplicate in a unique
 * index, a cancelled deploy) leaves an INVALID index behind. Run again, the migration stops at "already exists",
 * or with IF NOT EXISTS carries on with an index that is never used and still slows every write.
 */
export const concurrentIndexRetry = migrationRule({
  id: "migration/concurrent-index-retry",
  title: "CREATE INDEX CONCURRENTLY that cannot be retried cleanly",
  description:
    "A failed CREATE INDEX CONCURRENTLY leaves an INVALID index. A re-run then fails with 'already exists', or, with IF NOT EXISTS, keeps the invalid index (not used by queries, still maintained on every write); an unnamed one is built a second time under a new name. Dropping it first (DROP INDEX CONCURRENTLY IF EXISTS) makes the step safe to repeat. squawk's prefer-robust-stmts asks for IF NOT EXISTS, which hides exactly this case.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
  check(st, facts) {
    const index = bodyOf(st, "IndexStmt");
    if (!index?.concurrent) return [];
    const table = relationParts(index.relation);
    if (!table || !isExistingTable(st, relationNameOf(table))) return [];
    const name = typeof index.idxname === "string" ? index.idxname : null;
    if (name && droppedBefore(facts.statements, st, name)) return [];
    const ifNotExists = !!index.if_not_exists;
    return [
      {
        severity: ifNotExists ? "warning" : "info",
        title: name
          ? ifNotExists
            ? `IF NOT EXISTS keeps an INVALID ${name} left by a failed run`
            : `A failed build leaves ${name} INVALID and the re-run stops at "already exists"`
          : "An unnamed concurrent index is built again under a new name when the migration is re-run",
        detail: name
          ? `If this build fails, ${name} stays behind marked INVALID: queries never use it but every write still maintains it.${ifNotExists ? " IF NOT EXISTS then skips the rebuild on the next run." : ""}`
          : "PostgreSQL names the index itself; after a failed run the next one builds a second index beside the invalid one.",
        fix: {
          ...(name
            ? {
                sql: sql`DROP INDEX CONCURRENTLY IF EXISTS ${qname(table.schema, name)};\n${ownStatement(st)}`,
              }
            : {}),
          note: name
            ? "Drop any leftover first, in its own statement outside a transaction; the pair can then be run any number of times. (After a successful run it rebuilds a valid index once more: cheap to accept for a retry.)"
            : "Name the index, and drop it IF EXISTS before building it.",
        },
      },
    ];
  },
});

function relationNameOf(t: { schema: string | null; name: string }): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

/** An earlier DROP INDEX ... IF EXISTS of the same name in the same file. */
function droppedBefore(statements: MigrationStatement[], st: MigrationStatement, name: string): boolean {
  for (const earlier of statements) {
    if (earlier === st) return false;
    const drop = earlier.stmt.DropStmt as Node | undefined;
    if (earlier.file !== st.file || drop?.removeType !== "OBJECT_INDEX" || !drop.missing_ok) continue;
    if (((drop.objects as Node[]) ?? []).some((o) => listParts(o).at(-1) === name)) return true;
  }
  return false;
}
