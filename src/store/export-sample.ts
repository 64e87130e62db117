import type { Snapshot, StatementFacts } from "../facts/snapshot.js";
import { DBOPT_VERSION } from "../version.js";
import {
  nearestSample,
  type StoredTarget,
  sampleIndexes,
  sampleTables,
  settingsAt,
} from "./read-sample-objects.js";
import type { StoreConnection } from "./store-connection.js";
import { storedSnapshot } from "./stored-snapshot.js";

type Row = Record<string, unknown>;

/** What a snapshot holds that the store does not keep: absent (empty) in an exported snapshot. */
export const NOT_IN_STORE = [
  "columns",
  "constraints",
  "column statistics",
  "sequences",
  "sessions",
  "replication",
  "statement min/max times",
] as const;

/**
 * The checks (rules/registry.ts HEALTH_RULES) that read only what an exported snapshot holds: table and index
 * sizes and counters, database and checkpoint counters, settings' values and sources. The others read columns,
 * constraints, column statistics, sessions or index key widths, and would report on facts that are not there.
 */
export const RULES_ON_STORED_FACTS: ReadonlySet<string> = new Set([
  "config/memory-settings",
  "config/random-page-cost",
  "config/unsafe-settings",
  "health/cache-hit-ratio",
  "health/checkpoints",
  "health/dead-tuples",
  "health/hot-updates",
  "health/invalid-index",
  "health/stale-statistics",
  "health/temp-files",
  "health/unused-index",
  "health/xid-wraparound",
]);

export interface ExportedSample {
  snapshot: Snapshot;
  takenAt: Date;
  /** How the statement counters were rebuilt, when not exactly. */
  notes: string[];
}

const COUNTERS = [
  "calls",
  "total_ms",
  "sum_sq_ms",
  "rows",
  "plan_ms",
  "shared_blks_hit",
  "shared_blks_read",
  "shared_blks_dirtied",
  "shared_blks_written",
  "temp_blks_read",
  "temp_blks_written",
  "blk_read_ms",
  "blk_write_ms",
] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * The target's sample nearest to `at` as a snapshot file (facts/snapshot.ts) that `dbopt check --snapshot` reads:
 * tables and indexes with their sizes and counters, settings as they stood, database and checkpoint counters, and
 * each statement's cumulative pg_stat_statements counters as they were then. The store keeps the latest counters
 * and every delta, so the counters then are the latest minus the deltas since, exact unless an entry restarted
 * after the sample (then they are the deltas the store holds up to it). What the store does not keep
 * (NOT_IN_STORE) is left empty.
 */
export async function exportSample(
  store: StoreConnection,
  target: StoredTarget,
  at: Date,
): Promise<ExportedSample | null> {
  const takenAt = await nearestSample(store, target.id, at);
  if (!takenAt) return null;
  const [sample] = await store.query<Row>(
    `select s.server_started_at, s.statements_reset_at, s.statements,
            (select count(*) from dbopt_store.sample l where l.target_id = s.target_id and l.taken_at > s.taken_at
                and l.counters_restarted is not null)::int as restarts_after,
            d.size_bytes, d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.temp_files, d.temp_bytes,
            d.deadlocks, d.stats_reset, d.checkpoints_source, d.checkpoints_timed, d.checkpoints_requested,
            d.checkpoint_buffers_written, d.checkpoints_reset_at, d.wal_bytes::float8 as wal_bytes, d.wal_reset_at
       from dbopt_store.sample s
       left join dbopt_store.database_sample d on d.target_id = s.target_id and d.taken_at = s.taken_at
      where s.target_id = $1 and s.taken_at = $2`,
    [target.id, takenAt],
  );
  const row = sample ?? {};
  const notes: string[] = [];
  const statements = await statementsAt(
    store,
    target.id,
    takenAt,
    Number(row.restarts_after ?? 0) > 0,
    notes,
  );
  // One session: one query at a time.
  const tables = await sampleTables(store, target.id, takenAt);
  const indexes = await sampleIndexes(store, target.id, takenAt);
  const settings = await settingsAt(store, target.id, takenAt);
  const blockSize = Number(settings.find((s) => s.name === "block_size")?.setting ?? 8192) || 8192;
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  const time = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  const version = target.serverVersion ?? "";
  const source = row.checkpoints_source as string | null;
  const snapshot = storedSnapshot({
    capturedAt: takenAt.toISOString(),
    dboptVersion: DBOPT_VERSION,
    server: {
      version,
      versionNum: versionNum(version),
      database: target.database,
      currentUser: /^([^@]+)@/.exec(target.address)?.[1] ?? "",
      startedAt: time(row.server_started_at),
      canMonitor: true,
      isSuperuser: false,
      extensions: statements.length ? { pg_stat_statements: "unknown" } : {},
    },
    database: {
      sizeBytes: num(row.size_bytes),
      xactCommit: num(row.xact_commit),
      xactRollback: num(row.xact_rollback),
      blksRead: num(row.blks_read),
      blksHit: num(row.blks_hit),
      tempFiles: num(row.temp_files),
      tempBytes: num(row.temp_bytes),
      deadlocks: num(row.deadlocks),
      statsResetAt: time(row.stats_reset),
    },
    tables,
    indexes,
    blockSize,
    settings: settings.map((s) => ({
      name: s.name,
      setting: s.setting,
      unit: s.unit,
      source: s.source,
      bootValue: null,
      resetValue: null,
      pendingRestart: s.pendingRestart,
      context: "",
      vartype: "",
    })),
    workload: {
      source: statements.length || Number(row.statements ?? 0) ? "pg_stat_statements" : "none",
      problem: null,
      statsResetAt: time(row.statements_reset_at),
      totalCalls: statements.reduce((t, s) => t + s.calls, 0),
      totalMs: statements.reduce((t, s) => t + s.totalMs, 0),
      statements,
    },
    checkpoints:
      source === "pg_stat_bgwriter" || source === "pg_stat_checkpointer"
        ? {
            source,
            timed: num(row.checkpoints_timed),
            requested: num(row.checkpoints_requested),
            buffersWritten: num(row.checkpoint_buffers_written),
            statsResetAt: time(row.checkpoints_reset_at),
            walBytes: row.wal_bytes === null || row.wal_bytes === undefined ? null : Number(row.wal_bytes),
            walStatsResetAt: time(row.wal_reset_at),
            serverStartedAt: time(row.server_started_at),
            serverNow: takenAt.toISOString(),
          }
        : null,
    absent: [...NOT_IN_STORE],
  });
  return { snapshot, takenAt, notes };
}

/** Each statement's cumulative counters at `at`: the latest ones minus every delta since, when nothing restarted. */
async function statementsAt(
  store: StoreConnection,
  targetId: number,
  at: Date,
  restartedAfter: boolean,
  notes: string[],
): Promise<StatementFacts[]> {
  const sums = (alias: string) => COUNTERS.map((c) => `sum(ss.${c})::float8 as ${alias}_${c}`).join(", ");
  const rows = await store.query<Row>(
    `select s.queryid::text as queryid, s.user_name, s.toplevel, s.query, c.statement_id is not null as has_counter,
            ${COUNTERS.map((c) => `c.${c}::float8 as c_${c}`).join(", ")},
            later.*, upto.*
       from dbopt_store.statement s
       left join dbopt_store.statement_counter c on c.statement_id = s.id
       left join lateral (select ${sums("l")}, coalesce(bool_or(ss.restarted), false) as l_restarted
                            from dbopt_store.statement_sample ss
                           where ss.target_id = $1 and ss.statement_id = s.id and ss.taken_at > $2) later on true
       left join lateral (select ${sums("u")}, count(*) as u_samples
                            from dbopt_store.statement_sample ss
                           where ss.target_id = $1 and ss.statement_id = s.id and ss.taken_at <= $2) upto on true
      where s.target_id = $1 and s.first_seen <= $2`,
    [targetId, at],
  );
  let rebuilt = 0;
  const out: StatementFacts[] = [];
  for (const r of rows) {
    const exact = Boolean(r.has_counter) && !r.l_restarted && !restartedAfter;
    const value = (c: Counter) =>
      exact ? Math.max(0, Number(r[`c_${c}`] ?? 0) - Number(r[`l_${c}`] ?? 0)) : Number(r[`u_${c}`] ?? 0);
    if (!exact) {
      if (!Number(r.u_samples)) continue;
      rebuilt++;
    }
    const calls = value("calls");
    if (!calls && !exact) continue;
    const totalMs = value("total_ms");
    const mean = calls ? totalMs / calls : 0;
    out.push({
      queryId: String(r.queryid),
      query: String(r.query),
      userName: String(r.user_name),
      toplevel: Boolean(r.toplevel),
      calls,
      totalMs,
      meanMs: mean,
      // Not kept by the store.
      minMs: 0,
      maxMs: 0,
      stddevMs: calls ? Math.sqrt(Math.max(0, value("sum_sq_ms") / calls - mean * mean)) : 0,
      rows: value("rows"),
      planningMs: value("plan_ms"),
      sharedBlksHit: value("shared_blks_hit"),
      sharedBlksRead: value("shared_blks_read"),
      sharedBlksDirtied: value("shared_blks_dirtied"),
      sharedBlksWritten: value("shared_blks_written"),
      tempBlksRead: value("temp_blks_read"),
      tempBlksWritten: value("temp_blks_written"),
      blkReadMs: value("blk_read_ms"),
      blkWriteMs: value("blk_write_ms"),
    });
  }
  if (rebuilt)
    notes.push(
      `${rebuilt} statements restarted their counters after this sample (a reset, an eviction or a restart): their figures are the deltas the store holds up to it, not since pg_stat_statements' reset`,
    );
  return out.sort((a, b) => b.totalMs - a.totalMs);
}

/** "15.20 (Debian ...)" → 150020; "9.6.24" → 90624. */
function versionNum(version: string): number {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!m) return 0;
  const major = Number(m[1]);
  return major >= 10
    ? major * 10_000 + Number(m[2] ?? 0)
    : major * 10_000 + Number(m[2] ?? 0) * 100 + Number(m[3] ?? 0);
}
