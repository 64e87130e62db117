/**
 * The dashboard's read queries on the history store. They only read; every one is bounded by a target and a time
 * range so that a page reads the samples it shows, not the whole history.
 */
import type { Plan } from "../facts/plan/plan-model.js";
import { binLabel, type ChartBins, chartBins, coverRange, type Grain, rankingGrain } from "./rollup-grain.js";
import { bucketOf } from "./rollup-sql.js";
import type { StoreConnection } from "./store-connection.js";

export interface TargetHealth {
  id: number;
  databaseName: string;
  address: string;
  serverVersion: string | null;
  samples: number;
  firstSample: Date | null;
  lastSample: Date | null;
  gaps: number;
  lastGap: Date | null;
  lastGapError: string | null;
  /** The statement with the most time in the hour of the last sample and the hour before, and that time. */
  topStatement: { id: number; query: string; totalMs: number } | null;
}

/** Every target in the store with its health at a glance. */
export async function readTargetHealth(store: StoreConnection): Promise<TargetHealth[]> {
  const rows = await store.query<{
    id: string;
    database_name: string;
    address: string;
    server_version: string | null;
    samples: string;
    first_sample: Date | null;
    last_sample: Date | null;
    gaps: string;
    last_gap: Date | null;
    last_gap_error: string | null;
    top_id: string | null;
    top_query: string | null;
    top_ms: number | null;
  }>(
    `select t.id, t.database_name, t.address, t.server_version,
            s.samples, s.first_sample, s.last_sample, g.gaps, g.last_gap, lg.error as last_gap_error,
            top.statement_id as top_id, st.query as top_query, top.total_ms as top_ms
       from dbopt_store.target t
       cross join lateral (select count(*) as samples, min(taken_at) as first_sample, max(taken_at) as last_sample
                             from dbopt_store.sample where target_id = t.id) s
       cross join lateral (select count(*) as gaps, max(taken_at) as last_gap
                             from dbopt_store.gap where target_id = t.id) g
       left join lateral (select error from dbopt_store.gap
                           where target_id = t.id order by taken_at desc limit 1) lg on true
       left join lateral (select statement_id, sum(total_ms) as total_ms from dbopt_store.statement_rollup
                           where target_id = t.id and grain = 'hour'
                             and bucket > s.last_sample - interval '2 hours' and bucket <= s.last_sample
                           group by statement_id order by 2 desc limit 1) top on true
       left join dbopt_store.statement st on st.id = top.statement_id
      order by t.database_name, t.address`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    databaseName: r.database_name,
    address: r.address,
    serverVersion: r.server_version,
    samples: Number(r.samples),
    firstSample: r.first_sample,
    lastSample: r.last_sample,
    gaps: Number(r.gaps),
    lastGap: r.last_gap,
    lastGapError: r.last_gap_error,
    topStatement:
      r.top_id === null
        ? null
        : { id: Number(r.top_id), query: r.top_query ?? "", totalMs: Number(r.top_ms) },
  }));
}

export interface TargetName {
  id: number;
  databaseName: string;
  address: string;
  lastSample: Date | null;
}

export async function readTarget(store: StoreConnection, targetId: number): Promise<TargetName | null> {
  const rows = await store.query<{
    id: string;
    database_name: string;
    address: string;
    last_sample: Date | null;
  }>(
    `select t.id, t.database_name, t.address,
            (select max(taken_at) from dbopt_store.sample where target_id = t.id) as last_sample
       from dbopt_store.target t where t.id = $1`,
    [targetId],
  );
  const r = rows[0];
  return r
    ? { id: Number(r.id), databaseName: r.database_name, address: r.address, lastSample: r.last_sample }
    : null;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface StatementTotals {
  id: number;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

/** Samples of a target in [from, to): how many points a chart of the range would have at most. */
export async function countSamples(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
): Promise<number> {
  const [row] = await store.query<{ n: string }>(
    "select count(*) as n from dbopt_store.sample where target_id = $1 and taken_at >= $2 and taken_at < $3",
    [targetId, range.from, range.to],
  );
  return Number(row?.n ?? 0);
}

/** Statements ranked on the widened range for each row shown: the exact sums then pick the top among them. */
const CANDIDATES_PER_ROW = 5;

/**
 * The statements with the most time in [from, to), most first. Candidates are ranked on the top statements of at
 * most ~7 buckets of the coarsest rollup (the range widened to whole buckets); the figures of each candidate are then summed exactly
 * over the range (days, hours and edge samples: coverRange), and the candidates ranked again on them.
 */
export async function readTopStatements(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
  limit: number,
): Promise<StatementTotals[]> {
  const grain = rankingGrain(range);
  // Each bucket's top statements (statement_top, migration 004): a statement among the range's top ten is in
  // practice among the 50 heaviest of at least one of its buckets.
  const candidates = await store.query<{ statement_id: string }>(
    `select statement_id from dbopt_store.statement_top
      where target_id = $1 and grain = $5 and bucket >= ${bucketOf("$5", "$2::timestamptz")} and bucket < $3
      group by 1 order by sum(total_ms) desc limit $4`,
    [targetId, range.from, range.to, limit * CANDIDATES_PER_ROW, grain],
  );
  if (candidates.length === 0) return [];
  const totals = await sumOverRange(
    store,
    targetId,
    candidates.map((c) => Number(c.statement_id)),
    range,
  );
  const rows = await store.query<{ id: string; query: string }>(
    "select id, query from dbopt_store.statement where id = any($1::bigint[])",
    [totals.map((t) => t.id)],
  );
  const text = new Map(rows.map((r) => [Number(r.id), r.query]));
  return totals
    .filter((t) => t.calls > 0 || t.totalMs > 0)
    .sort((a, b) => b.totalMs - a.totalMs || a.id - b.id)
    .slice(0, limit)
    .map((t) => ({ ...t, query: text.get(t.id) ?? "" }));
}

/** Calls, time and rows of each statement over exactly [from, to), from the rollups and the edge samples. */
async function sumOverRange(
  store: StoreConnection,
  targetId: number,
  statementIds: number[],
  range: TimeRange,
): Promise<Array<Omit<StatementTotals, "query">>> {
  const cover = coverRange(range);
  const buckets = [
    ...cover.day.map((iv) => ["day", ...iv] as const),
    ...cover.hour.map((iv) => ["hour", ...iv] as const),
  ];
  // At most two edge intervals of samples (the partial hours at each end): each bounded on its own, so only the
  // one or two day partitions they fall in are planned and read, not every partition of the range.
  const [first, second] = cover.sample;
  const edges = [first ?? [range.from, range.from], second ?? first ?? [range.from, range.from]];
  const rows = await store.query<{ statement_id: string; calls: string; total_ms: number; rows: string }>(
    `select statement_id, sum(calls) as calls, sum(total_ms) as total_ms, sum(rows) as rows from (
       select r.statement_id, r.calls, r.total_ms, r.rows
         from unnest($3::text[], $4::timestamptz[], $5::timestamptz[]) iv (grain, a, b)
         join dbopt_store.statement_rollup r
           on r.target_id = $1 and r.grain = iv.grain and r.bucket >= iv.a and r.bucket < iv.b
        -- the range itself too, so only its partitions are read (the intervals come from arrays)
        where r.statement_id = any($2::bigint[]) and r.bucket >= $6 and r.bucket < $7
       union all
       select ss.statement_id, ss.calls, ss.total_ms, ss.rows
         from dbopt_store.statement_sample ss
        where ss.target_id = $1 and ss.statement_id = any($2::bigint[])
          and (ss.taken_at >= $8 and ss.taken_at < $9 or ss.taken_at >= $10 and ss.taken_at < $11)) x
     group by statement_id`,
    [
      targetId,
      statementIds,
      buckets.map((b) => b[0]),
      buckets.map((b) => b[1]),
      buckets.map((b) => b[2]),
      range.from,
      range.to,
      edges[0]?.[0],
      edges[0]?.[1],
      edges[1]?.[0],
      edges[1]?.[1],
    ],
  );
  return rows.map((r) => ({
    id: Number(r.statement_id),
    calls: Number(r.calls),
    totalMs: Number(r.total_ms),
    rows: Number(r.rows),
  }));
}

export interface StackedSeries {
  /** Start of each point (a sample's time, or a bin's start), oldest first. */
  times: Date[];
  /** What one point covers: "sample", "20 min", "2 h"... */
  bin: string;
  /** The table the points were read from. */
  grain: Grain;
  /** Time per point of each listed statement (0 where it did nothing), in the order asked. */
  byStatement: number[][];
  /** Time per point of every other statement. */
  others: number[];
}

/** SQL for the start of the bin of `at` (seconds, from epoch), or `at` itself when each sample is its own point. */
function binOf(bins: ChartBins, at: string): string {
  return bins.stepMs === 0
    ? at
    : `to_timestamp(floor(extract(epoch from ${at}) / ${bins.stepMs / 1000}) * ${bins.stepMs / 1000})`;
}

/**
 * Time spent per point by each of `statementIds` and by all the others together, for a stacked chart: at most
 * ~600 points (chartBins), read from the samples or the hourly or daily rollups. "Others" is the workload's total
 * (workload_rollup) minus the listed statements, so no point sums 5,000 statements.
 */
export async function readStackedTime(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
  statementIds: number[],
  samples: number,
): Promise<StackedSeries> {
  const bins = chartBins(range, samples);
  const statementRows = await store.query<{ at: Date; statement_id: string; total_ms: number }>(
    bins.grain === "sample"
      ? `select ${binOf(bins, "taken_at")} as at, statement_id, sum(total_ms) as total_ms
           from dbopt_store.statement_sample
          where target_id = $1 and statement_id = any($4::bigint[]) and taken_at >= $2 and taken_at < $3
          group by 1, 2`
      : `select ${binOf(bins, "bucket")} as at, statement_id, sum(total_ms) as total_ms
           from dbopt_store.statement_rollup
          where statement_id = any($4::bigint[]) and grain = $5
            and bucket >= ${bucketOf("$5", "$2::timestamptz")} and bucket < $3 and target_id = $1
          group by 1, 2`,
    [targetId, range.from, range.to, statementIds, ...(bins.grain === "sample" ? [] : [bins.grain])],
  );
  const totals = await store.query<{ at: Date; total_ms: number }>(
    `select ${binOf(bins, "bucket")} as at, sum(total_ms) as total_ms from dbopt_store.workload_rollup
      where target_id = $1 and grain = $4 and bucket >= ${bins.grain === "sample" ? "$2" : bucketOf("$4", "$2::timestamptz")} and bucket < $3
      group by 1 order by 1`,
    [targetId, range.from, range.to, bins.grain],
  );
  const times = totals.map((t) => t.at);
  const index = new Map(times.map((t, i) => [t.getTime(), i]));
  const column = new Map(statementIds.map((id, i) => [id, i]));
  const byStatement = statementIds.map(() => times.map(() => 0));
  for (const r of statementRows) {
    const i = index.get(r.at.getTime());
    const c = column.get(Number(r.statement_id));
    if (i === undefined || c === undefined) continue;
    (byStatement[c] as number[])[i] = Number(r.total_ms);
  }
  const others = totals.map((t, i) =>
    Math.max(0, Number(t.total_ms) - byStatement.reduce((sum, series) => sum + (series[i] ?? 0), 0)),
  );
  return { times, bin: binLabel(bins), grain: bins.grain, byStatement, others };
}

export interface StoredStatement {
  id: number;
  targetId: number;
  databaseName: string;
  query: string;
  userName: string;
  queryid: string;
  firstSeen: Date;
  lastSeen: Date;
}

export async function readStatement(
  store: StoreConnection,
  statementId: number,
): Promise<StoredStatement | null> {
  const rows = await store.query<{
    id: string;
    target_id: string;
    database_name: string;
    query: string;
    user_name: string;
    queryid: string;
    first_seen: Date;
    last_seen: Date;
  }>(
    `select st.id, st.target_id, t.database_name, st.query, st.user_name, st.queryid, st.first_seen, st.last_seen
       from dbopt_store.statement st join dbopt_store.target t on t.id = st.target_id where st.id = $1`,
    [statementId],
  );
  const r = rows[0];
  return r
    ? {
        id: Number(r.id),
        targetId: Number(r.target_id),
        databaseName: r.database_name,
        query: r.query,
        userName: r.user_name,
        queryid: r.queryid,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      }
    : null;
}

export interface StatementPoint {
  /** A sample's time, or the start of a bin of samples. */
  at: Date;
  calls: number;
  totalMs: number;
  /** Sum over calls of the squared call time (calls × (stddev² + mean²)): with calls and totalMs, the spread. */
  sumSqMs: number;
  rows: number;
}

export interface PlanSeen {
  at: Date;
  planId: number;
}

export interface StatementSeries {
  points: StatementPoint[];
  /** What one point covers: "sample", "20 min", "2 h"... */
  bin: string;
  grain: Grain;
  /** The samples of the range where the statement's plan differs from the plan sampled before (even before the range). */
  planChanges: PlanSeen[];
  /** The plan the range starts with (the last one sampled at or before its first change), if any. */
  firstPlan: PlanSeen | null;
}

/**
 * The statement's figures over [from, to): at most ~600 points, from its samples or its hourly or daily rollups;
 * and the samples where its plan changed, from its plan samples (index plan_sample_statement).
 */
export async function readStatementSeries(
  store: StoreConnection,
  statement: StoredStatement,
  range: TimeRange,
  samples: number,
): Promise<StatementSeries> {
  const bins = chartBins(range, samples);
  const sums = `sum(calls) as calls, sum(total_ms) as total_ms, sum(sum_sq_ms) as sum_sq_ms, sum(rows) as rows`;
  const rows = await store.query<{
    at: Date;
    calls: string;
    total_ms: number;
    sum_sq_ms: number;
    rows: string;
  }>(
    bins.grain === "sample"
      ? `select ${binOf(bins, "taken_at")} as at, ${sums} from dbopt_store.statement_sample
          where statement_id = $1 and taken_at >= $2 and taken_at < $3 and target_id = $4
          group by 1 order by 1`
      : `select ${binOf(bins, "bucket")} as at, ${sums} from dbopt_store.statement_rollup
          where statement_id = $1 and grain = $5 and bucket >= ${bucketOf("$5", "$2::timestamptz")} and bucket < $3
            and target_id = $4
          group by 1 order by 1`,
    [
      statement.id,
      range.from,
      range.to,
      statement.targetId,
      ...(bins.grain === "sample" ? [] : [bins.grain]),
    ],
  );
  const plans = await store.query<{ taken_at: Date; plan_id: string; previous: string | null }>(
    // From the last plan sample before the range on (what the range starts with), not the whole history: the
    // day partitions before it are skipped at run time (a 24 h chart read 8,640 plan samples of 30 days).
    `with before as (select max(taken_at) as at from dbopt_store.plan_sample
                      where statement_id = $1 and taken_at < $2 and target_id = $4)
     select taken_at, plan_id, previous from (
       select taken_at, plan_id, lag(plan_id) over (order by taken_at) as previous
         from dbopt_store.plan_sample
        where statement_id = $1 and taken_at < $3 and target_id = $4
          and taken_at >= coalesce((select at from before), '-infinity')) p
      where previous is distinct from plan_id and (taken_at >= $2 or previous is null)
         or taken_at = (select at from before)
      order by taken_at`,
    [statement.id, range.from, range.to, statement.targetId],
  );
  const seen = plans.map((p) => ({
    at: p.taken_at,
    planId: Number(p.plan_id),
    previous: p.previous === null ? null : Number(p.previous),
  }));
  const inRange = seen.filter((p) => p.at >= range.from);
  const before = seen.filter((p) => p.at < range.from).at(-1);
  const changes = inRange.filter((p) => p.previous !== null && p.previous !== p.planId);
  const first = before ?? inRange[0] ?? null;
  return {
    points: rows.map((r) => ({
      at: r.at,
      calls: Number(r.calls),
      totalMs: Number(r.total_ms),
      sumSqMs: Number(r.sum_sq_ms),
      rows: Number(r.rows),
    })),
    bin: binLabel(bins),
    grain: bins.grain,
    planChanges: changes.map(({ at, planId }) => ({ at, planId })),
    firstPlan: first ? { at: first.at, planId: first.planId } : null,
  };
}

export interface StoredPlan {
  id: number;
  statementId: number;
  shapeHash: string;
  firstSeen: Date;
  /** Samples that saw this plan, and the last of them. */
  samples: number;
  lastSeen: Date | null;
  plan: Plan;
}

/** Every plan shape stored for the statement, oldest first. */
export async function readStatementPlans(store: StoreConnection, statementId: number): Promise<StoredPlan[]> {
  const rows = await store.query<PlanRow>(
    `select p.id, p.statement_id, p.shape_hash, p.first_seen, p.plan, u.samples, u.last_seen
       from dbopt_store.plan p
       cross join lateral (select count(*) as samples, max(taken_at) as last_seen
                             from dbopt_store.plan_sample where statement_id = p.statement_id and plan_id = p.id) u
      where p.statement_id = $1 order by p.first_seen, p.id`,
    [statementId],
  );
  return rows.map(storedPlan);
}

/** Plans by id (for a diff), whatever their statement. */
export async function readPlans(store: StoreConnection, planIds: number[]): Promise<StoredPlan[]> {
  const rows = await store.query<PlanRow>(
    `select p.id, p.statement_id, p.shape_hash, p.first_seen, p.plan, 0 as samples, null::timestamptz as last_seen
       from dbopt_store.plan p where p.id = any($1::bigint[])`,
    [planIds],
  );
  return rows.map(storedPlan);
}

interface PlanRow {
  id: string;
  statement_id: string;
  shape_hash: string;
  first_seen: Date;
  plan: Plan;
  samples: string;
  last_seen: Date | null;
}

function storedPlan(r: PlanRow): StoredPlan {
  return {
    id: Number(r.id),
    statementId: Number(r.statement_id),
    shapeHash: r.shape_hash,
    firstSeen: r.first_seen,
    samples: Number(r.samples),
    lastSeen: r.last_seen,
    plan: r.plan,
  };
}

export interface RecentPlan {
  plan: StoredPlan;
  statement: { id: number; query: string };
}

/** The plans the target's statements ran with in the last day of plan samples (the newest shape of each statement). */
export async function readRecentPlans(
  store: StoreConnection,
  targetId: number,
  limit: number,
): Promise<RecentPlan[]> {
  const rows = await store.query<PlanRow & { query: string }>(
    // The newest plan sample of each statement first, then its plan and text: joining first fetched a plan and
    // hashed all 5,000 statements for each of a day's plan samples (294 ms -> 58 ms on the bench store).
    `select p.id, p.statement_id, p.shape_hash, p.first_seen, p.plan, 0 as samples, latest.taken_at as last_seen,
            st.query
       from (select distinct on (ps.statement_id) ps.statement_id, ps.plan_id, ps.taken_at
               from dbopt_store.plan_sample ps
              where ps.target_id = $1
                and ps.taken_at > (select max(taken_at) from dbopt_store.sample where target_id = $1) - interval '1 day'
              order by ps.statement_id, ps.taken_at desc
              limit $2) latest
       join dbopt_store.plan p on p.id = latest.plan_id
       join dbopt_store.statement st on st.id = latest.statement_id
      order by p.statement_id`,
    [targetId, limit],
  );
  return rows.map((r) => ({
    plan: storedPlan(r),
    statement: { id: Number(r.statement_id), query: r.query },
  }));
}
