import type { Plan } from "../facts/plan/plan-model.js";
import { repairNormalizedQuery } from "../facts/sql/normalized-statement.js";
import { fingerprintSql } from "../util/sql-parser.js";
import { DBOPT_VERSION } from "../version.js";
import { insertRows } from "./bulk-insert.js";
import { TABLE_COUNTERS } from "./read-relation-stats.js";
import { statementKey, type TargetSample, type WaitObservation } from "./read-target-sample.js";
import { ROLLUP_ONE_SAMPLE, TOP_ONE_SAMPLE } from "./rollup-sql.js";
import {
  COUNTER_FIELDS,
  type CounterRestart,
  counterRestart,
  countersOf,
  isActive,
  type PreviousCounters,
  type StatementCounters,
  statementDelta,
} from "./statement-deltas.js";
import type { StoreConnection } from "./store-connection.js";

type Row = Record<string, unknown>;

/** The generic plan of one of the top statements, with its shape hash (plan-shape.ts). */
export interface PlannedStatement {
  key: string;
  plan: Plan;
  shapeHash: string;
}

/** pg_stat_activity looks since the previous sample: how many, and the sessions seen by state and wait. */
export interface WaitTally {
  probes: number;
  observations: WaitObservation[];
}

export interface SampleInput {
  sample: TargetSample;
  plans: PlannedStatement[];
  waits: WaitTally;
  durationMs: number;
  /** host/pid of the collecting process. */
  collector: string;
}

export interface WrittenSample {
  takenAt: Date;
  /** A target's first sample: counters stored, no deltas yet. */
  first: boolean;
  statements: number;
  /** Statements that ran since the previous sample. */
  active: number;
  restarted: CounterRestart;
  /** Entries whose counters started again (reset or evicted) within the interval. */
  restartedEntries: number;
  /** Another collector stored a later sample of this target first; nothing was written. */
  superseded: boolean;
}

/** What the store remembers of a target's statements: ids, and counters of the last committed sample. */
export interface StoredStatements {
  previousAt: Date | null;
  ids: Map<string, number>;
  counters: Map<string, PreviousCounters>;
}

export async function loadStoredStatements(
  store: StoreConnection,
  targetId: number,
): Promise<StoredStatements> {
  const [last] = await store.query<{ at: Date | null }>(
    "select max(taken_at) as at from dbopt_store.sample where target_id = $1",
    [targetId],
  );
  const rows = await store.query<Row>(
    `select s.id, s.queryid::text as queryid, s.user_name, s.toplevel, c.read_at,
            c.calls, c.total_ms, c.sum_sq_ms, c.rows, c.plan_ms, c.shared_blks_hit, c.shared_blks_read,
            c.shared_blks_dirtied, c.shared_blks_written, c.temp_blks_read, c.temp_blks_written, c.blk_read_ms, c.blk_write_ms
       from dbopt_store.statement s left join dbopt_store.statement_counter c on c.statement_id = s.id
      where s.target_id = $1`,
    [targetId],
  );
  const ids = new Map<string, number>();
  const counters = new Map<string, PreviousCounters>();
  for (const r of rows) {
    const key = statementKey({
      queryId: String(r.queryid),
      userName: String(r.user_name),
      toplevel: Boolean(r.toplevel),
    });
    ids.set(key, Number(r.id));
    if (r.read_at === null) continue;
    counters.set(key, {
      readAt: r.read_at as Date,
      counters: {
        calls: Number(r.calls),
        totalMs: Number(r.total_ms),
        sumSqMs: Number(r.sum_sq_ms),
        rows: Number(r.rows),
        planMs: Number(r.plan_ms),
        sharedBlksHit: Number(r.shared_blks_hit),
        sharedBlksRead: Number(r.shared_blks_read),
        sharedBlksDirtied: Number(r.shared_blks_dirtied),
        sharedBlksWritten: Number(r.shared_blks_written),
        tempBlksRead: Number(r.temp_blks_read),
        tempBlksWritten: Number(r.temp_blks_written),
        blkReadMs: Number(r.blk_read_ms),
        blkWriteMs: Number(r.blk_write_ms),
      },
    });
  }
  return { previousAt: last?.at ?? null, ids, counters };
}

/** The deltas of every statement against what the store remembers (null deltas on a target's first sample). */
export function statementDeltas(
  sample: TargetSample,
  stored: StoredStatements,
): {
  restarted: CounterRestart;
  deltas: Map<string, { delta: StatementCounters; restarted: boolean } | null>;
} {
  const restarted = stored.previousAt
    ? counterRestart(stored.previousAt, sample.serverStartedAt, sample.statementsResetAt)
    : null;
  const deltas = new Map<string, { delta: StatementCounters; restarted: boolean } | null>();
  for (const s of sample.workload.statements) {
    const key = statementKey(s);
    deltas.set(
      key,
      statementDelta({
        current: countersOf(s),
        previous: stored.counters.get(key) ?? null,
        targetHasPrevious: stored.previousAt !== null,
        restartedAll: restarted !== null,
        statsSince: sample.statsSince.get(key) ?? null,
      }),
    );
  }
  return { restarted, deltas };
}

const COUNTER_COLUMNS = [
  ["calls", "bigint"],
  ["total_ms", "float8"],
  ["sum_sq_ms", "float8"],
  ["rows", "bigint"],
  ["plan_ms", "float8"],
  ["shared_blks_hit", "bigint"],
  ["shared_blks_read", "bigint"],
  ["shared_blks_dirtied", "bigint"],
  ["shared_blks_written", "bigint"],
  ["temp_blks_read", "bigint"],
  ["temp_blks_written", "bigint"],
  ["blk_read_ms", "float8"],
  ["blk_write_ms", "float8"],
] as const;

function counterValues(c: StatementCounters): number[] {
  return COUNTER_FIELDS.map((f) => c[f]);
}

/**
 * Write one sample of a target in one transaction: the sample row, statement deltas and the counters the next
 * delta starts from, plans, waits, tables and indexes, settings that changed, database-wide counters. A process
 * killed while it runs leaves none of it; the next sample then starts from the last committed one. Collectors of
 * the same target take turns on its row's lock.
 */
export async function writeSample(
  store: StoreConnection,
  targetId: number,
  input: SampleInput,
): Promise<WrittenSample> {
  const { sample } = input;
  const at = sample.takenAt;
  return store.transaction(async () => {
    await store.query("select id from dbopt_store.target where id = $1 for update", [targetId]);
    const stored = await loadStoredStatements(store, targetId);
    if (stored.previousAt && stored.previousAt >= at)
      return {
        takenAt: at,
        first: false,
        statements: 0,
        active: 0,
        restarted: null,
        restartedEntries: 0,
        superseded: true,
      };
    const { restarted, deltas } = statementDeltas(sample, stored);
    const statements = sample.workload.statements;
    const active = [...deltas.values()].filter((d) => d && isActive(d.delta)).length;

    await insertRows(
      store,
      "sample",
      [
        ["target_id", "bigint"],
        ["taken_at", "timestamptz"],
        ["previous_taken_at", "timestamptz"],
        ["server_started_at", "timestamptz"],
        ["statements_reset_at", "timestamptz"],
        ["statements_evicted", "bigint"],
        ["counters_restarted", "text"],
        ["statements", "integer"],
        ["statements_active", "integer"],
        ["wait_probes", "integer"],
        ["duration_ms", "float8"],
        ["collector", "text"],
        ["dbopt_version", "text"],
      ],
      [
        [
          targetId,
          at,
          stored.previousAt,
          sample.serverStartedAt,
          sample.statementsResetAt,
          sample.statementsEvicted,
          restarted,
          statements.length,
          active,
          input.waits.probes,
          input.durationMs,
          input.collector,
          DBOPT_VERSION,
        ],
      ],
    );

    // Statements first seen now get their row (and fingerprint, once).
    const missing = statements.filter((s) => !stored.ids.has(statementKey(s)));
    const added = await insertRows(
      store,
      "statement",
      [
        ["target_id", "bigint"],
        ["queryid", "bigint"],
        ["user_name", "text"],
        ["toplevel", "boolean"],
        ["fingerprint", "text"],
        ["query", "text"],
        ["first_seen", "timestamptz"],
        ["last_seen", "timestamptz"],
      ],
      missing.map((s) => [
        targetId,
        s.queryId,
        s.userName,
        s.toplevel,
        fingerprint(s.query),
        s.query,
        at,
        at,
      ]),
      "returning id, queryid::text as queryid, user_name, toplevel",
    );
    const ids = new Map(stored.ids);
    for (const r of added)
      ids.set(
        statementKey({
          queryId: String(r.queryid),
          userName: String(r.user_name),
          toplevel: Boolean(r.toplevel),
        }),
        Number(r.id),
      );

    const sampleRows: unknown[][] = [];
    const counterRows: unknown[][] = [];
    let restartedEntries = 0;
    for (const s of statements) {
      const key = statementKey(s);
      const id = ids.get(key);
      const d = deltas.get(key);
      const current = countersOf(s);
      const previous = stored.counters.get(key);
      if (d?.restarted) restartedEntries++;
      if (d && isActive(d.delta)) sampleRows.push([targetId, at, id, ...counterValues(d.delta), d.restarted]);
      // Unchanged counters need no write: the stored ones are still the base of the next delta.
      const changed = !previous || COUNTER_FIELDS.some((f) => previous.counters[f] !== current[f]);
      if (changed)
        counterRows.push([id, targetId, at, sample.statsSince.get(key) ?? null, ...counterValues(current)]);
    }
    await insertRows(
      store,
      "statement_sample",
      [
        ["target_id", "bigint"],
        ["taken_at", "timestamptz"],
        ["statement_id", "bigint"],
        ...COUNTER_COLUMNS,
        ["restarted", "boolean"],
      ],
      sampleRows,
    );
    await insertRows(
      store,
      "statement_counter",
      [
        ["statement_id", "bigint"],
        ["target_id", "bigint"],
        ["read_at", "timestamptz"],
        ["stats_since", "timestamptz"],
        ...COUNTER_COLUMNS,
      ],
      counterRows,
      `on conflict (statement_id) do update set read_at = excluded.read_at, stats_since = excluded.stats_since,
       ${COUNTER_COLUMNS.map(([c]) => `${c} = excluded.${c}`).join(", ")}`,
    );
    for (const rollup of [...ROLLUP_ONE_SAMPLE, ...TOP_ONE_SAMPLE]) await store.query(rollup, [targetId, at]);
    // An entry gone from the view was evicted or reset: if it comes back, all it holds is new.
    const present = statements.map((s) => ids.get(statementKey(s)));
    if (sample.workload.source === "pg_stat_statements")
      await store.query(
        "delete from dbopt_store.statement_counter where target_id = $1 and statement_id <> all($2::bigint[])",
        [targetId, present],
      );
    const activeIds = statements
      .filter((s) => {
        const d = deltas.get(statementKey(s));
        return d && isActive(d.delta);
      })
      .map((s) => ids.get(statementKey(s)));
    if (activeIds.length)
      await store.query("update dbopt_store.statement set last_seen = $2 where id = any($1::bigint[])", [
        activeIds,
        at,
      ]);

    await writePlans(store, targetId, at, input.plans, ids);
    await insertRows(
      store,
      "wait_sample",
      [
        ["target_id", "bigint"],
        ["taken_at", "timestamptz"],
        ["state", "text"],
        ["wait_event_type", "text"],
        ["wait_event", "text"],
        ["queryid", "bigint"],
        ["sessions", "integer"],
      ],
      input.waits.observations.map((w) => [
        targetId,
        at,
        w.state,
        w.waitEventType,
        w.waitEvent,
        w.queryId,
        w.sessions,
      ]),
    );
    if (sample.activity) await writeActivity(store, targetId, at, sample.activity);
    await writeRelations(store, targetId, sample);
    await writeSettings(store, targetId, sample);
    await writeDatabaseCounters(store, targetId, sample);
    return {
      takenAt: at,
      first: stored.previousAt === null,
      statements: statements.length,
      active,
      restarted,
      restartedEntries,
      superseded: false,
    };
  });
}

/** The server's connections at the sample: counts by state, the limits, open transactions' ages, the groups. */
async function writeActivity(
  store: StoreConnection,
  targetId: number,
  at: Date,
  activity: NonNullable<TargetSample["activity"]>,
): Promise<void> {
  const groups = activity.sample.groups;
  const inState = (state: string) =>
    groups.filter((g) => g.state === state).reduce((n, g) => n + g.connections, 0);
  const known = ["active", "idle", "idle in transaction", "idle in transaction (aborted)"];
  const all = groups.reduce((n, g) => n + g.connections, 0);
  // One row with an array column: insertRows' unnest would flatten the array, so a plain insert.
  await store.query(
    `insert into dbopt_store.activity_sample (target_id, taken_at, connections, active, idle, idle_in_transaction,
       idle_in_transaction_aborted, other, lock_waits, max_connections, reserved_connections, xact_ages, groups)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::real[], $13::jsonb)`,
    [
      targetId,
      at,
      all,
      inState("active"),
      inState("idle"),
      inState("idle in transaction"),
      inState("idle in transaction (aborted)"),
      all - known.reduce((n, k) => n + inState(k), 0),
      groups.reduce((n, g) => n + g.lockWaits, 0),
      activity.maxConnections,
      activity.reservedConnections,
      activity.sample.openXactAgesS,
      JSON.stringify(groups),
    ],
  );
}

/** libpg_query's fingerprint, or null for text it cannot parse (a statement cut short, another dialect). */
function fingerprint(query: string): string | null {
  try {
    return fingerprintSql(repairNormalizedQuery(query));
  } catch {
    return null;
  }
}

async function writePlans(
  store: StoreConnection,
  targetId: number,
  at: Date,
  plans: PlannedStatement[],
  ids: Map<string, number>,
): Promise<void> {
  const known = plans.filter((p) => ids.has(p.key));
  if (!known.length) return;
  await insertRows(
    store,
    "plan",
    [
      ["statement_id", "bigint"],
      ["shape_hash", "text"],
      ["plan", "jsonb"],
      ["first_seen", "timestamptz"],
    ],
    known.map((p) => [ids.get(p.key), p.shapeHash, p.plan, at]),
    "on conflict (statement_id, shape_hash) do nothing",
  );
  const rows = await store.query<Row>(
    "select id, statement_id, shape_hash from dbopt_store.plan where statement_id = any($1::bigint[])",
    [known.map((p) => ids.get(p.key))],
  );
  const planId = new Map(rows.map((r) => [`${r.statement_id}/${r.shape_hash}`, Number(r.id)]));
  await insertRows(
    store,
    "plan_sample",
    [
      ["target_id", "bigint"],
      ["taken_at", "timestamptz"],
      ["statement_id", "bigint"],
      ["plan_id", "bigint"],
      ["total_cost", "float8"],
    ],
    known.map((p) => {
      const id = ids.get(p.key);
      return [targetId, at, id, planId.get(`${id}/${p.shapeHash}`), p.plan.root.cost?.total ?? null];
    }),
  );
}

async function writeRelations(store: StoreConnection, targetId: number, sample: TargetSample): Promise<void> {
  const at = sample.takenAt;
  const key = (oid: number, schema: string, name: string) => `${oid}/${schema}/${name}`;
  const existing = await store.query<Row>(
    "select id, oid, schema_name, name from dbopt_store.relation where target_id = $1",
    [targetId],
  );
  const ids = new Map(
    existing.map((r) => [key(Number(r.oid), String(r.schema_name), String(r.name)), Number(r.id)]),
  );
  const objects = [
    ...sample.tables.map((t) => ({
      kind: t.kind,
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      table: null,
      def: null,
    })),
    ...sample.indexes.map((i) => ({
      kind: "index",
      oid: i.oid,
      schema: i.schema,
      name: i.name,
      table: [i.tableSchema, i.table] as const,
      def: i.definition,
    })),
  ];
  const added = await insertRows(
    store,
    "relation",
    [
      ["target_id", "bigint"],
      ["kind", "text"],
      ["oid", "bigint"],
      ["schema_name", "text"],
      ["name", "text"],
      ["table_schema", "text"],
      ["table_name", "text"],
      ["definition", "text"],
      ["first_seen", "timestamptz"],
      ["last_seen", "timestamptz"],
    ],
    objects
      .filter((o) => !ids.has(key(o.oid, o.schema, o.name)))
      .map((o) => [
        targetId,
        o.kind,
        o.oid,
        o.schema,
        o.name,
        o.table?.[0] ?? null,
        o.table?.[1] ?? null,
        o.def,
        at,
        at,
      ]),
    "returning id, oid, schema_name, name",
  );
  for (const r of added) ids.set(key(Number(r.oid), String(r.schema_name), String(r.name)), Number(r.id));
  // last_seen to the hour: enough to tell when an object went, without rewriting every row every sample.
  await store.query(
    `update dbopt_store.relation set last_seen = $2
      where target_id = $1 and id = any($3::bigint[]) and last_seen < $2::timestamptz - interval '1 hour'`,
    [targetId, at, objects.map((o) => ids.get(key(o.oid, o.schema, o.name)))],
  );
  await insertRows(
    store,
    "table_sample",
    [
      ["target_id", "bigint"],
      ["taken_at", "timestamptz"],
      ["relation_id", "bigint"],
      ["size_bytes", "bigint"],
      ["total_bytes", "bigint"],
      ["rows_estimate", "float8"],
      ["frozen_xid_age", "bigint"],
      ...TABLE_COUNTERS.map((c) => [c, c.startsWith("last_") ? "timestamptz" : "bigint"] as const),
    ],
    sample.tables.map((t) => [
      targetId,
      at,
      ids.get(key(t.oid, t.schema, t.name)),
      t.sizeBytes,
      t.totalBytes,
      t.rowsEstimate,
      t.frozenXidAge,
      ...TABLE_COUNTERS.map((c) => t.stats?.[c] ?? null),
    ]),
  );
  await insertRows(
    store,
    "index_sample",
    [
      ["target_id", "bigint"],
      ["taken_at", "timestamptz"],
      ["relation_id", "bigint"],
      ["size_bytes", "bigint"],
      ["is_valid", "boolean"],
      ["idx_scan", "bigint"],
      ["idx_tup_read", "bigint"],
      ["idx_tup_fetch", "bigint"],
    ],
    sample.indexes.map((i) => [
      targetId,
      at,
      ids.get(key(i.oid, i.schema, i.name)),
      i.sizeBytes,
      i.isValid,
      i.idxScan,
      i.idxTupRead,
      i.idxTupFetch,
    ]),
  );
}

/** Only settings whose value, source or pending restart differ from the latest stored are written. */
async function writeSettings(store: StoreConnection, targetId: number, sample: TargetSample): Promise<void> {
  const latest = await store.query<Row>(
    `select distinct on (name) name, setting, source, pending_restart from dbopt_store.setting_change
      where target_id = $1 order by name, changed_at desc`,
    [targetId],
  );
  const stored = new Map(latest.map((r) => [String(r.name), r]));
  const changed = sample.settings.filter((s) => {
    // The state of dbopt's own transaction, not a server setting.
    if (s.name.startsWith("transaction_")) return false;
    const before = stored.get(s.name);
    return (
      !before ||
      before.setting !== s.setting ||
      before.source !== s.source ||
      before.pending_restart !== s.pendingRestart
    );
  });
  await insertRows(
    store,
    "setting_change",
    [
      ["target_id", "bigint"],
      ["changed_at", "timestamptz"],
      ["name", "text"],
      ["setting", "text"],
      ["unit", "text"],
      ["source", "text"],
      ["pending_restart", "boolean"],
    ],
    changed.map((s) => [targetId, sample.takenAt, s.name, s.setting, s.unit, s.source, s.pendingRestart]),
  );
}

async function writeDatabaseCounters(
  store: StoreConnection,
  targetId: number,
  sample: TargetSample,
): Promise<void> {
  const d = sample.database;
  const c = sample.checkpoints;
  await insertRows(
    store,
    "database_sample",
    [
      ["target_id", "bigint"],
      ["taken_at", "timestamptz"],
      ["size_bytes", "bigint"],
      ["numbackends", "integer"],
      ["xact_commit", "bigint"],
      ["xact_rollback", "bigint"],
      ["blks_read", "bigint"],
      ["blks_hit", "bigint"],
      ["tup_returned", "bigint"],
      ["tup_fetched", "bigint"],
      ["tup_inserted", "bigint"],
      ["tup_updated", "bigint"],
      ["tup_deleted", "bigint"],
      ["temp_files", "bigint"],
      ["temp_bytes", "bigint"],
      ["deadlocks", "bigint"],
      ["blk_read_ms", "float8"],
      ["blk_write_ms", "float8"],
      ["stats_reset", "timestamptz"],
      ["checkpoints_source", "text"],
      ["checkpoints_timed", "bigint"],
      ["checkpoints_requested", "bigint"],
      ["checkpoint_buffers_written", "bigint"],
      ["checkpoints_reset_at", "timestamptz"],
      ["wal_bytes", "numeric"],
      ["wal_records", "bigint"],
      ["wal_fpi", "bigint"],
      ["wal_reset_at", "timestamptz"],
    ],
    [
      [
        targetId,
        sample.takenAt,
        d.size_bytes,
        d.numbackends,
        d.xact_commit,
        d.xact_rollback,
        d.blks_read,
        d.blks_hit,
        d.tup_returned,
        d.tup_fetched,
        d.tup_inserted,
        d.tup_updated,
        d.tup_deleted,
        d.temp_files,
        d.temp_bytes,
        d.deadlocks,
        d.blk_read_time,
        d.blk_write_time,
        d.stats_reset,
        c.source,
        c.timed,
        c.requested,
        c.buffersWritten,
        c.statsResetAt,
        sample.wal.bytes,
        sample.wal.records,
        sample.wal.fpi,
        sample.wal.resetAt,
      ],
    ],
  );
}

/** Record that a target could not be sampled, and why. */
export async function writeGap(
  store: StoreConnection,
  targetId: number,
  at: Date,
  error: { code: string; message: string },
  collector: string,
): Promise<void> {
  await store.query(
    `insert into dbopt_store.gap (target_id, taken_at, error_code, error, collector) values ($1, $2, $3, $4, $5)
     on conflict do nothing`,
    [targetId, at, error.code, error.message, collector],
  );
}
