import {
  blockedBy,
  LOCK_STRENGTH,
  listName,
  optionOn,
  relationName,
  statementLocks,
  type TableLock,
} from "../../facts/migration/lock-model.js";
import {
  indexTable,
  isExistingTable,
  type MigrationFacts,
  type MigrationStatement,
} from "../../facts/migration/migration-set.js";
import { sql } from "../../util/sql-text.js";
import { bodyOf, migrationRule } from "./migration-rule.js";

/**
 * A statement that needs a strong lock waits behind any long query on the table, and everything after it waits
 * behind it. lock_timeout turns that outage into a failed migration to retry.
 */
export const missingLockTimeout = migrationRule({
  id: "migration/missing-lock-timeout",
  title: "Strong lock taken without lock_timeout",
  description:
    "A lock that blocks writes (SHARE and stronger) on an existing table, with no lock_timeout set earlier in the file: while it waits for a long-running query, every query after it queues too. Reported only for statements that take such a lock.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
  check(st, facts) {
    // One finding per file, at its first statement that needs the timeout: one SET at the top fixes them all.
    const needing = needingByFile(facts).get(st.file);
    if (!needing || needing.first !== st) return [];
    const lock = strongLock(st, facts.indexTables);
    if (!lock) return [];
    const more = needing.count - 1;
    return [
      {
        severity: "warning",
        title: `${lock.mode} on ${lock.table} with no lock_timeout${more ? ` (and ${more} more statement${more === 1 ? "" : "s"} in this file)` : ""}`,
        detail: `Waiting for this lock behind a long query would stop every ${blockedBy(lock.mode) === "writes" ? "write" : "read and write"} on ${lock.table} for as long as it waits.`,
        table: lock.table,
        lock: lock.mode,
        fix: {
          sql: sql`SET lock_timeout = '2s';`,
          note: "Put it at the top of the migration (SET LOCAL inside a transaction) and retry the migration when it times out.",
        },
      },
    ];
  },
});

/** Per file, its first statement that needs a lock_timeout and how many do: read once per set (944 statements took 2.5 s when each statement looked at all the others). */
const NEEDING = new WeakMap<MigrationFacts, Map<string, { first: MigrationStatement; count: number }>>();
function needingByFile(facts: MigrationFacts): Map<string, { first: MigrationStatement; count: number }> {
  let byFile = NEEDING.get(facts);
  if (!byFile) {
    byFile = new Map();
    for (const s of facts.statements) {
      if (s.applied || strongLock(s, facts.indexTables) === null) continue;
      const seen = byFile.get(s.file);
      if (seen) seen.count++;
      else byFile.set(s.file, { first: s, count: 1 });
    }
    NEEDING.set(facts, byFile);
  }
  return byFile;
}

/** The strongest lock that blocks writes on an existing table, when no lock_timeout is in force. */
function strongLock(st: MigrationStatement, indexTables: Map<string, string>): TableLock | null {
  if (st.lockTimeout) return null;
  return (
    [...statementLocks(st.stmt), ...indexLocks(st, indexTables)]
      .filter((l) => isExistingTable(st, l.table) && LOCK_STRENGTH[l.mode] >= LOCK_STRENGTH.ShareLock)
      .sort((a, b) => LOCK_STRENGTH[b.mode] - LOCK_STRENGTH[a.mode])[0] ?? null
  );
}

/**
 * DROP INDEX and REINDEX INDEX without CONCURRENTLY lock the index's table (ACCESS EXCLUSIVE, SHARE), which the
 * statement does not name: the table the set or the starting schema built the index on, else the index's name.
 */
function indexLocks(st: MigrationStatement, indexTables: Map<string, string>): TableLock[] {
  const tableOf = (index: string | null) => (index ? (indexTable(indexTables, index) ?? index) : null);
  const drop = bodyOf(st, "DropStmt");
  if (drop?.removeType === "OBJECT_INDEX" && !drop.concurrent)
    return ((drop.objects as Array<Record<string, unknown>>) ?? []).flatMap((o) => {
      const table = tableOf(listName(o));
      return table ? [{ table, mode: "AccessExclusiveLock" as const }] : [];
    });
  const reindex = bodyOf(st, "ReindexStmt");
  if (reindex?.kind === "REINDEX_OBJECT_INDEX" && !optionOn(reindex.params, "concurrently")) {
    const table = tableOf(relationName(reindex.relation));
    return table ? [{ table, mode: "ShareLock" as const }] : [];
  }
  return [];
}
