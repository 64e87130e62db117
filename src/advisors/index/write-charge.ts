/**
 * What an index costs the writes to its table, in the same milliseconds the workload weights are in: one entry
 * per insert, delete and non-HOT update, and every update becomes non-HOT when the index covers a column the
 * workload updates (HOT needs all indexed columns unchanged).
 */
import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import type { IndexCandidate, IndexMethod } from "./index-candidate.js";
import { leafTables, summedStats } from "./partitioned-index.js";
import type { WrittenRows } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/**
 * Milliseconds to maintain one index entry, by method (orders of magnitude). The B-tree figure was measured on
 * this project's 2-core test machine (PostgreSQL 15, bench/oltp's 1M-row ticket table): 20,000 single-row INSERTs
 * took 263 ms with the primary key alone and 556 ms with three more B-trees, 4.9 µs an entry.
 */
const ENTRY_MS: Record<IndexMethod, number> = { btree: 0.005, hash: 0.004, brin: 0.0005, gin: 0.05 };

export interface WriteCharge {
  ms: number;
  writes: number;
  /** The index would make updates of these columns non-HOT. */
  breaksHotOn: string[];
}

/**
 * Writes counted from the workload's own statements (a --workload file, untimed log lines): each INSERT, UPDATE
 * and DELETE on the table, its calls × the rows the planner expects one call to write.
 */
export type WorkloadWrites = Map<string, WrittenRows[]>;

export function writeCharge(
  c: IndexCandidate,
  snapshot: Snapshot,
  queries: WorkloadQuery[],
  windowScale: number,
  workloadWrites?: WorkloadWrites,
): WriteCharge {
  if (workloadWrites) return workloadWriteCharge(c, snapshot, queries, workloadWrites);
  const table = snapshot.tables.find((t) => t.schema === c.schema && t.name === c.table);
  // A partitioned table's rows and writes are its partitions': each of them gets the index too.
  const stats = table ? summedStats(snapshot, table) : null;
  if (!table || !stats) return { ms: 0, writes: 0, breaksHotOn: [] };
  const updated = updatedColumns(table, queries);
  const indexed = [...c.columns, ...c.include, c.where ?? ""].join(" ");
  const breaksHotOn = [...updated].filter((col) => new RegExp(`\\b${col}\\b`).test(indexed));
  // The rows the workload's own INSERT, UPDATE and DELETE statements wrote in pg_stat_statements' window, when it
  // holds any on this table: the table counters also count what loaded the table (a bulk load, a restore), which
  // charged an index 4.9 ms for each 0.3 ms INSERT of bench/advisor-sample-app.ts.
  const counted = statementWrites(c, snapshot, queries) ?? {
    ins: stats.nTupIns * windowScale,
    upd: stats.nTupUpd * windowScale,
    del: stats.nTupDel * windowScale,
  };
  const hotShare = stats.nTupUpd > 0 ? stats.nTupHotUpd / stats.nTupUpd : 0;
  const nonHot = breaksHotOn.length ? counted.upd : counted.upd * (1 - hotShare);
  const writes = counted.ins + counted.del + nonHot;
  // Turning HOT updates into non-HOT ones also costs every other index of the table an entry.
  const otherIndexes = snapshot.indexes.filter(
    (i) => i.tableSchema === c.schema && i.table === c.table,
  ).length;
  const lostHot = breaksHotOn.length ? counted.upd * hotShare * otherIndexes : 0;
  return { ms: (writes + lostHot) * ENTRY_MS[c.method], writes: Math.round(writes), breaksHotOn };
}

/** Rows inserted, updated and deleted on c's table by the workload's statements (pg_stat_statements' rows), or null. */
function statementWrites(
  c: IndexCandidate,
  snapshot: Snapshot,
  queries: WorkloadQuery[],
): { ins: number; upd: number; del: number } | null {
  const leaves = leafTables(snapshot, c.schema, c.table);
  const out = { ins: 0, upd: 0, del: 0 };
  let found = false;
  for (const q of queries) {
    const w = q.shape.written;
    if (!w) continue;
    const onTable =
      (w.name === c.table && (w.schema === null || w.schema === c.schema)) ||
      leaves.some((l) => l.name === w.name && (w.schema === null || w.schema === l.schema));
    const s = onTable ? snapshot.workload.statements.find((x) => x.queryId === q.id) : undefined;
    if (!s) continue;
    found = true;
    if (q.shape.kind === "insert") out.ins += s.rows;
    else if (q.shape.kind === "update") out.upd += s.rows;
    else if (q.shape.kind === "delete") out.del += s.rows;
  }
  return found ? out : null;
}

function workloadWriteCharge(
  c: IndexCandidate,
  snapshot: Snapshot,
  queries: WorkloadQuery[],
  written: WorkloadWrites,
): WriteCharge {
  const indexed = [...c.columns, ...c.include, c.where ?? ""].join(" ");
  const covers = (col: string) => new RegExp(`\\b${col}\\b`).test(indexed);
  const existing = snapshot.indexes.filter((i) => i.tableSchema === c.schema && i.table === c.table);
  const breaksHotOn = new Set<string>();
  const leaves = leafTables(snapshot, c.schema, c.table);
  let entries = 0;
  let writes = 0;
  for (const q of queries) {
    for (const w of written.get(q.id) ?? []) {
      const onTable =
        (w.table === c.table && (w.schema === null || w.schema === c.schema)) ||
        leaves.some((l) => l.name === w.table && (w.schema === null || w.schema === l.schema));
      if (!onTable) continue;
      const rows = w.rows * q.calls;
      if (w.operation === "Update") {
        const set = q.shape.updated?.columns ?? [];
        const breaks = set.filter(covers);
        // HOT already impossible when an existing index covers a column it sets: every update adds an entry.
        const alreadyNonHot = set.some((col) => existing.some((i) => i.columns.includes(col)));
        if (!breaks.length && !alreadyNonHot) continue;
        for (const col of breaks) breaksHotOn.add(col);
        writes += rows;
        entries += rows * (1 + (breaks.length && !alreadyNonHot ? existing.length : 0));
      } else {
        writes += rows;
        entries += rows;
      }
    }
  }
  return { ms: entries * ENTRY_MS[c.method], writes: Math.round(writes), breaksHotOn: [...breaksHotOn] };
}

function updatedColumns(table: TableFacts, queries: WorkloadQuery[]): Set<string> {
  const out = new Set<string>();
  for (const q of queries) {
    const u = q.shape.updated;
    if (u && u.table.name === table.name && (u.table.schema === null || u.table.schema === table.schema)) {
      for (const c of u.columns) out.add(c);
    }
  }
  return out;
}
