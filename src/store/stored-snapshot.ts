/**
 * A snapshot (facts/snapshot.ts) built from what the store keeps of one sample: the table and index facts, and the
 * parts the store never keeps left empty. Both `dbopt store export` (export-sample.ts) and the dashboard's findings
 * page (which runs the health rules on the latest sample) build theirs here, so the two read stored rows alike.
 */
import type { IndexFacts, Snapshot, TableFacts } from "../facts/snapshot.js";
import type { IndexSample } from "./read-relation-stats.js";

/** A table as a sample keeps it: its kind when read (the dashboard's latest objects do not read it). */
export interface StoredTableRow {
  oid: number;
  schema: string;
  name: string;
  kind?: string;
  sizeBytes: number;
  totalBytes: number;
  rowsEstimate: number;
  frozenXidAge: number | null;
  /** pg_stat_user_tables / pg_statio_user_tables columns by name (read-relation-stats.ts TABLE_COUNTERS). */
  counters: Record<string, unknown>;
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const nn = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const time = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
const KINDS = ["table", "partitioned", "matview", "foreign"] as const;

function storedTableFacts(t: StoredTableRow, blockSize: number): TableFacts {
  const c = t.counters;
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    kind: KINDS.find((k) => k === t.kind) ?? "table",
    parent: null,
    persistence: "permanent",
    rowsEstimate: t.rowsEstimate,
    pages: Math.round(t.sizeBytes / blockSize),
    sizeBytes: t.sizeBytes,
    totalBytes: t.totalBytes,
    options: [],
    frozenXidAge: t.frozenXidAge,
    minMxidAge: null,
    rowWidth: null,
    anyNulls: false,
    columns: [],
    stats:
      c.n_live_tup === null || c.n_live_tup === undefined
        ? null
        : {
            seqScan: n(c.seq_scan),
            seqTupRead: n(c.seq_tup_read),
            idxScan: nn(c.idx_scan),
            idxTupFetch: nn(c.idx_tup_fetch),
            nTupIns: n(c.n_tup_ins),
            nTupUpd: n(c.n_tup_upd),
            nTupDel: n(c.n_tup_del),
            nTupHotUpd: n(c.n_tup_hot_upd),
            nLiveTup: n(c.n_live_tup),
            nDeadTup: n(c.n_dead_tup),
            nModSinceAnalyze: n(c.n_mod_since_analyze),
            lastVacuum: time(c.last_vacuum),
            lastAutovacuum: time(c.last_autovacuum),
            lastAnalyze: time(c.last_analyze),
            lastAutoanalyze: time(c.last_autoanalyze),
            vacuumCount: n(c.vacuum_count),
            autovacuumCount: n(c.autovacuum_count),
            analyzeCount: n(c.analyze_count),
            autoanalyzeCount: n(c.autoanalyze_count),
            heapBlksRead: n(c.heap_blks_read),
            heapBlksHit: n(c.heap_blks_hit),
            nTupNewpageUpd: null,
            nInsSinceVacuum: null,
          },
  };
}

function storedIndexFacts(i: IndexSample, blockSize: number): IndexFacts {
  return {
    oid: i.oid,
    schema: i.schema,
    name: i.name,
    tableSchema: i.tableSchema,
    table: i.table,
    definition: i.definition,
    method: /\bUSING (\w+)/.exec(i.definition)?.[1] ?? "btree",
    columns: [],
    keyColumnCount: 0,
    // pg_get_indexdef says UNIQUE for unique and primary-key indexes alike: the rules leave those alone.
    isUnique: /^CREATE UNIQUE INDEX/i.test(i.definition),
    isPrimary: false,
    isValid: i.isValid,
    isReady: true,
    predicate: null,
    constraint: null,
    sizeBytes: i.sizeBytes,
    pages: Math.round(i.sizeBytes / blockSize),
    rowsEstimate: 0,
    keyWidth: null,
    stats:
      i.idxScan === null
        ? null
        : { idxScan: i.idxScan, idxTupRead: i.idxTupRead ?? 0, idxTupFetch: i.idxTupFetch ?? 0 },
  };
}

/** What the store keeps of a sample; the rest of a snapshot is left empty. */
export type StoredSnapshotParts = Pick<
  Snapshot,
  "capturedAt" | "dboptVersion" | "server" | "database" | "settings" | "workload" | "checkpoints"
> & {
  tables: StoredTableRow[];
  indexes: IndexSample[];
  blockSize: number;
  absent?: string[];
};

export function storedSnapshot(parts: StoredSnapshotParts): Snapshot {
  const { tables, indexes, blockSize, absent, ...kept } = parts;
  return {
    format: "dbopt-snapshot/1",
    ...kept,
    tables: tables.map((t) => storedTableFacts(t, blockSize)),
    indexes: indexes.map((i) => storedIndexFacts(i, blockSize)),
    constraints: [],
    columnStats: [],
    sequences: [],
    activity: {
      sessions: [],
      connectionsByState: {},
      maxConnections: 0,
      reservedConnections: 0,
      indexBuilds: [],
    },
    replication: { inRecovery: false, slots: [], standbys: [] },
    exactBloat: null,
    ...(absent ? { absent } : {}),
  };
}
