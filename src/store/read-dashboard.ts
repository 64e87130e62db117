/**
 * The dashboard's read queries on the history store. They only read; every one is bounded by a target and a time
 * range so that a page reads the samples it shows, not the whole history.
 */
import type { Plan } from "../facts/plan/plan-model.js";
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
  /** The statement with the most time in the last hour of samples, and that time. */
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
       left join lateral (select statement_id, sum(total_ms) as total_ms from dbopt_store.statement_sample
                           where target_id = t.id and taken_at > s.last_sample - interval '1 hour'
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

/** The statements with the most time in the range, most first. */
export async function readTopStatements(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
  limit: number,
): Promise<StatementTotals[]> {
  const rows = await store.query<{
    id: string;
    query: string;
    calls: string;
    total_ms: number;
    rows: string;
  }>(
    `select st.id, st.query, top.calls, top.total_ms, top.rows
       from (select statement_id, sum(calls) as calls, sum(total_ms) as total_ms, sum(rows) as rows
               from dbopt_store.statement_sample
              where target_id = $1 and taken_at > $2 and taken_at <= $3
              group by statement_id order by sum(total_ms) desc limit $4) top
       join dbopt_store.statement st on st.id = top.statement_id
      order by top.total_ms desc`,
    [targetId, range.from, range.to, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    query: r.query,
    calls: Number(r.calls),
    totalMs: Number(r.total_ms),
    rows: Number(r.rows),
  }));
}

export interface StackedSeries {
  /** Sample times, oldest first. */
  times: Date[];
  /** Time per sample of each listed statement (0 where it did nothing), in the order asked. */
  byStatement: number[][];
  /** Time per sample of every other statement. */
  others: number[];
}

/** Time spent per sample by each of `statementIds` and by all the others together, for a stacked chart. */
export async function readStackedTime(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
  statementIds: number[],
): Promise<StackedSeries> {
  const rows = await store.query<{ taken_at: Date; statement_id: string | null; total_ms: number }>(
    `select s.taken_at, d.statement_id, d.total_ms
       from dbopt_store.sample s
       left join lateral (
         select case when ss.statement_id = any($4::bigint[]) then ss.statement_id end as statement_id,
                sum(ss.total_ms) as total_ms
           from dbopt_store.statement_sample ss
          where ss.target_id = s.target_id and ss.taken_at = s.taken_at
          group by 1) d on true
      where s.target_id = $1 and s.taken_at > $2 and s.taken_at <= $3
      order by s.taken_at`,
    [targetId, range.from, range.to, statementIds],
  );
  const times: Date[] = [];
  const byStatement = statementIds.map(() => [] as number[]);
  const others: number[] = [];
  const column = new Map(statementIds.map((id, i) => [String(id), i]));
  let last = Number.NaN;
  for (const r of rows) {
    if (r.taken_at.getTime() !== last) {
      last = r.taken_at.getTime();
      times.push(r.taken_at);
      for (const series of byStatement) series.push(0);
      others.push(0);
    }
    const at = times.length - 1;
    if (r.total_ms === null) continue;
    const i = r.statement_id === null ? undefined : column.get(String(r.statement_id));
    if (i === undefined) others[at] = Number(r.total_ms);
    else (byStatement[i] as number[])[at] = Number(r.total_ms);
  }
  return { times, byStatement, others };
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
  at: Date;
  calls: number;
  totalMs: number;
  rows: number;
  /** The plan the sample saw, when its plan was taken. */
  planId: number | null;
}

/** The statement's figures in each sample of the range where it ran or had its plan taken, oldest first. */
export async function readStatementSeries(
  store: StoreConnection,
  statement: StoredStatement,
  range: TimeRange,
): Promise<StatementPoint[]> {
  const rows = await store.query<{
    taken_at: Date;
    calls: string;
    total_ms: number;
    rows: string;
    plan_id: string | null;
  }>(
    `select coalesce(ss.taken_at, ps.taken_at) as taken_at, coalesce(ss.calls, 0) as calls,
            coalesce(ss.total_ms, 0) as total_ms, coalesce(ss.rows, 0) as rows, ps.plan_id
       from (select * from dbopt_store.statement_sample
              where target_id = $1 and statement_id = $2 and taken_at > $3 and taken_at <= $4) ss
       full join (select * from dbopt_store.plan_sample
                   where target_id = $1 and statement_id = $2 and taken_at > $3 and taken_at <= $4) ps
         on ps.taken_at = ss.taken_at
      order by 1`,
    [statement.targetId, statement.id, range.from, range.to],
  );
  return rows.map((r) => ({
    at: r.taken_at,
    calls: Number(r.calls),
    totalMs: Number(r.total_ms),
    rows: Number(r.rows),
    planId: r.plan_id === null ? null : Number(r.plan_id),
  }));
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
