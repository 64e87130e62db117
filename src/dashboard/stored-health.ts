/**
 * The health rules on what the store keeps of a target's latest sample: table and index sizes and counters, the
 * database's size and statistics reset. The store keeps no columns, pg_stats, constraints, sequences, sessions or
 * server settings' context, so only the rules that read nothing else run here; the page names the others and
 * sends people to `dbopt check` for them.
 */
import type { IndexFacts, Snapshot, TableFacts } from "../facts/snapshot.js";
import type { Finding } from "../findings/finding.js";
import { HEALTH_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";
import type { LatestObjects, LatestTable } from "../store/read-latest-objects.js";

/** The health rules whose facts are all in the store. */
export const STORED_HEALTH_RULES = [
  "health/dead-tuples",
  "health/hot-updates",
  "health/invalid-index",
  "health/stale-statistics",
  "health/unused-index",
  "health/xid-wraparound",
] as const;

export interface StoredHealth {
  findings: Finding[];
  ran: string[];
  /** Rules that need facts the store does not keep. */
  notRun: string[];
}

const iso = (d: Date | number | null | undefined) => (d instanceof Date ? d.toISOString() : null);
const count = (v: Date | number | null | undefined) => (typeof v === "number" ? v : 0);

function tableFacts(t: LatestTable): TableFacts {
  const c = t.counters;
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    kind: "table",
    parent: null,
    persistence: "permanent",
    rowsEstimate: t.rowsEstimate,
    pages: Math.round(t.sizeBytes / 8192),
    sizeBytes: t.sizeBytes,
    totalBytes: t.totalBytes,
    options: [],
    frozenXidAge: t.frozenXidAge,
    minMxidAge: null,
    rowWidth: null,
    anyNulls: false,
    columns: [],
    stats:
      c.n_live_tup === null
        ? null
        : {
            seqScan: count(c.seq_scan),
            seqTupRead: count(c.seq_tup_read),
            idxScan: typeof c.idx_scan === "number" ? c.idx_scan : null,
            idxTupFetch: typeof c.idx_tup_fetch === "number" ? c.idx_tup_fetch : null,
            nTupIns: count(c.n_tup_ins),
            nTupUpd: count(c.n_tup_upd),
            nTupDel: count(c.n_tup_del),
            nTupHotUpd: count(c.n_tup_hot_upd),
            nLiveTup: count(c.n_live_tup),
            nDeadTup: count(c.n_dead_tup),
            nModSinceAnalyze: count(c.n_mod_since_analyze),
            lastVacuum: iso(c.last_vacuum),
            lastAutovacuum: iso(c.last_autovacuum),
            lastAnalyze: iso(c.last_analyze),
            lastAutoanalyze: iso(c.last_autoanalyze),
            vacuumCount: count(c.vacuum_count),
            autovacuumCount: count(c.autovacuum_count),
            analyzeCount: count(c.analyze_count),
            autoanalyzeCount: count(c.autoanalyze_count),
            heapBlksRead: count(c.heap_blks_read),
            heapBlksHit: count(c.heap_blks_hit),
            nTupNewpageUpd: null,
            nInsSinceVacuum: null,
          },
  };
}

function indexFacts(i: LatestObjects["indexes"][number]): IndexFacts {
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
    // pg_get_indexdef says UNIQUE for unique and primary-key indexes: the rules leave those alone.
    isUnique: /^CREATE UNIQUE INDEX/i.test(i.definition),
    isPrimary: false,
    isValid: i.isValid,
    isReady: true,
    predicate: null,
    constraint: null,
    sizeBytes: i.sizeBytes,
    pages: Math.round(i.sizeBytes / 8192),
    rowsEstimate: 0,
    keyWidth: null,
    stats:
      i.idxScan === null
        ? null
        : { idxScan: i.idxScan, idxTupRead: i.idxTupRead ?? 0, idxTupFetch: i.idxTupFetch ?? 0 },
  };
}

export function storedHealth(latest: LatestObjects, databaseName: string): StoredHealth {
  const snapshot: Snapshot = {
    format: "dbopt-snapshot/1",
    capturedAt: latest.takenAt.toISOString(),
    dboptVersion: "store",
    server: {
      version: latest.serverVersion ?? "",
      versionNum: 0,
      database: databaseName,
      currentUser: "",
      startedAt: iso(latest.serverStartedAt),
      canMonitor: true,
      isSuperuser: false,
      extensions: {},
    },
    database: {
      sizeBytes: latest.databaseBytes ?? 0,
      xactCommit: 0,
      xactRollback: 0,
      blksRead: 0,
      blksHit: 0,
      tempFiles: 0,
      tempBytes: 0,
      deadlocks: 0,
      statsResetAt: iso(latest.statsResetAt),
    },
    tables: latest.tables.map(tableFacts),
    indexes: latest.indexes.map(indexFacts),
    constraints: [],
    columnStats: [],
    settings: [],
    workload: {
      source: "none",
      problem: null,
      statsResetAt: null,
      totalCalls: 0,
      totalMs: 0,
      statements: [],
    },
    sequences: [],
    activity: {
      sessions: [],
      connectionsByState: {},
      maxConnections: 0,
      reservedConnections: 0,
      indexBuilds: [],
    },
    replication: { inRecovery: false, slots: [], standbys: [] },
    checkpoints: null,
    exactBloat: null,
  };
  const wanted = new Set<string>(STORED_HEALTH_RULES);
  const rules = HEALTH_RULES.filter((r) => wanted.has(r.id));
  return {
    findings: runRules(rules, { snapshot }),
    ran: rules.map((r) => r.id),
    notRun: HEALTH_RULES.filter((r) => !wanted.has(r.id)).map((r) => r.id),
  };
}
