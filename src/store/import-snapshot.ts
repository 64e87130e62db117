import type { Snapshot } from "../facts/snapshot.js";
import { InputError } from "../util/input-error.js";
import type { TargetIdentity, TargetSample } from "./read-target-sample.js";
import { writeSample } from "./sample-writer.js";
import type { StoreConnection } from "./store-connection.js";
import { PartitionKeeper } from "./store-partitions.js";
import { addressTarget } from "./store-targets.js";

export interface ImportedSample {
  file: string;
  target: string;
  takenAt: Date;
  statements: number;
  /** The target's first sample: counters kept, deltas start with the next one. */
  first: boolean;
}

/**
 * Write one snapshot file into the store as one sample of its target, as if a collector had taken it when the
 * snapshot was: statement counters become deltas against the target's previous sample (resets and evictions as
 * for a live sample), tables, indexes, settings and database counters as they were. A snapshot holds no plans and
 * no waits; those stay empty for this sample. Samples must arrive oldest first: one older than the target's
 * latest stored sample is refused.
 */
export async function importSnapshot(
  store: StoreConnection,
  snapshot: Snapshot,
  options: { file: string; address: string },
): Promise<ImportedSample> {
  const takenAt = new Date(snapshot.capturedAt);
  const identity: TargetIdentity = {
    // A snapshot does not record the cluster's identifier: the target is known by the address it is imported as.
    systemIdentifier: null,
    database: snapshot.server.database,
    serverVersion: snapshot.server.version,
    major: Math.floor(snapshot.server.versionNum / 10_000),
  };
  await new PartitionKeeper(store).ensure(takenAt);
  const id = await addressTarget(store, options.address, identity.database, identity, takenAt);
  const written = await writeSample(store, id, {
    sample: targetSample(snapshot, identity, takenAt),
    plans: [],
    waits: { probes: 0, observations: [] },
    durationMs: 0,
    collector: `import ${options.file}`.slice(0, 200),
  });
  if (written.superseded) {
    const [last] = await store.query<{ at: Date }>(
      "select max(taken_at) as at from dbopt_store.sample where target_id = $1",
      [id],
    );
    throw new InputError(
      `${options.file} was taken at ${snapshot.capturedAt}, before the store's latest sample of ${options.address} (${last?.at.toISOString()}): nothing was imported`,
      "import snapshots oldest first, or into another --target",
    );
  }
  return {
    file: options.file,
    target: options.address,
    takenAt,
    statements: written.statements,
    first: written.first,
  };
}

function targetSample(s: Snapshot, identity: TargetIdentity, takenAt: Date): TargetSample {
  const c = s.checkpoints;
  return {
    identity,
    takenAt,
    serverStartedAt: s.server.startedAt ? new Date(s.server.startedAt) : null,
    statementsResetAt: s.workload.statsResetAt ? new Date(s.workload.statsResetAt) : null,
    statementsEvicted: null,
    workload: s.workload,
    statsSince: new Map(),
    // What the snapshot's pg_stat_database read; the store's other database columns stay unknown (null).
    database: {
      size_bytes: s.database.sizeBytes,
      xact_commit: s.database.xactCommit,
      xact_rollback: s.database.xactRollback,
      blks_read: s.database.blksRead,
      blks_hit: s.database.blksHit,
      temp_files: s.database.tempFiles,
      temp_bytes: s.database.tempBytes,
      deadlocks: s.database.deadlocks,
      stats_reset: s.database.statsResetAt,
    },
    // The sample writer reads every field; a snapshot without checkpoint figures leaves them null in the store.
    checkpoints:
      c ??
      ({ source: null, timed: null, requested: null, buffersWritten: null, statsResetAt: null } as never),
    wal: {
      records: null,
      fpi: null,
      bytes: c?.walBytes === null || c?.walBytes === undefined ? null : String(c.walBytes),
      resetAt: c?.walStatsResetAt ? new Date(c.walStatsResetAt) : null,
    },
    tables: s.tables.map((t) => ({
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      kind: t.kind,
      sizeBytes: t.sizeBytes,
      totalBytes: t.totalBytes,
      rowsEstimate: t.rowsEstimate,
      frozenXidAge: t.frozenXidAge,
      stats: t.stats
        ? {
            seq_scan: t.stats.seqScan,
            seq_tup_read: t.stats.seqTupRead,
            idx_scan: t.stats.idxScan,
            idx_tup_fetch: t.stats.idxTupFetch,
            n_tup_ins: t.stats.nTupIns,
            n_tup_upd: t.stats.nTupUpd,
            n_tup_del: t.stats.nTupDel,
            n_tup_hot_upd: t.stats.nTupHotUpd,
            n_live_tup: t.stats.nLiveTup,
            n_dead_tup: t.stats.nDeadTup,
            n_mod_since_analyze: t.stats.nModSinceAnalyze,
            last_vacuum: t.stats.lastVacuum,
            last_autovacuum: t.stats.lastAutovacuum,
            last_analyze: t.stats.lastAnalyze,
            last_autoanalyze: t.stats.lastAutoanalyze,
            vacuum_count: t.stats.vacuumCount,
            autovacuum_count: t.stats.autovacuumCount,
            analyze_count: t.stats.analyzeCount,
            autoanalyze_count: t.stats.autoanalyzeCount,
            heap_blks_read: t.stats.heapBlksRead,
            heap_blks_hit: t.stats.heapBlksHit,
          }
        : null,
    })),
    indexes: s.indexes.map((i) => ({
      oid: i.oid,
      schema: i.schema,
      name: i.name,
      tableSchema: i.tableSchema,
      table: i.table,
      definition: i.definition,
      sizeBytes: i.sizeBytes,
      isValid: i.isValid,
      idxScan: i.stats?.idxScan ?? null,
      idxTupRead: i.stats?.idxTupRead ?? null,
      idxTupFetch: i.stats?.idxTupFetch ?? null,
    })),
    settings: s.settings,
  };
}
