/**
 * The SQL that sums samples into the rollups (migration 003). One expression names a bucket, so the writer, the
 * migration's backfill and the bench agree on which hour or day a sample belongs to: UTC, whatever the session's
 * TimeZone.
 */

/** The start of the UTC hour or day (`grain`) `at` falls in. */
export function bucketOf(grain: string, at: string): string {
  return `(date_trunc(${grain}, ${at} at time zone 'UTC') at time zone 'UTC')`;
}

const STATEMENT_SUMS = `count(*), sum(calls), sum(total_ms), sum(sum_sq_ms), sum(rows), sum(shared_blks_hit),
    sum(shared_blks_read), sum(temp_blks_written)`;

const STATEMENT_COLUMNS = `target_id, grain, bucket, statement_id, samples, calls, total_ms, sum_sq_ms, rows,
    shared_blks_hit, shared_blks_read, temp_blks_written`;

const ADD_STATEMENT = `samples = r.samples + excluded.samples, calls = r.calls + excluded.calls,
    total_ms = r.total_ms + excluded.total_ms, sum_sq_ms = r.sum_sq_ms + excluded.sum_sq_ms,
    rows = r.rows + excluded.rows, shared_blks_hit = r.shared_blks_hit + excluded.shared_blks_hit,
    shared_blks_read = r.shared_blks_read + excluded.shared_blks_read,
    temp_blks_written = r.temp_blks_written + excluded.temp_blks_written`;

const ADD_WORKLOAD = `samples = r.samples + excluded.samples, calls = r.calls + excluded.calls,
    total_ms = r.total_ms + excluded.total_ms, rows = r.rows + excluded.rows`;

/**
 * Add the samples matching `where` (a condition on `s`, a sample row) to every rollup. Used once per written sample
 * (where = that sample) and by the migration and the bench for everything stored (where = true). A sample with no
 * statement deltas still counts in workload_rollup, so a chart shows its zero.
 */
export function rollupSamplesSql(where: string): [statements: string, weeks: string, workload: string] {
  return [
    `insert into dbopt_store.statement_rollup as r (${STATEMENT_COLUMNS})
select ss.target_id, g.grain, ${bucketOf("g.grain", "ss.taken_at")}, ss.statement_id, ${STATEMENT_SUMS}
  from dbopt_store.sample s
  join dbopt_store.statement_sample ss on ss.target_id = s.target_id and ss.taken_at = s.taken_at
  cross join (values ('hour'), ('day')) g (grain)
 where ${where}
 group by 1, 2, 3, 4
on conflict (target_id, grain, bucket, statement_id) do update set ${ADD_STATEMENT}`,
    `insert into dbopt_store.statement_week as r (target_id, bucket, statement_id, calls, total_ms)
select ss.target_id, ${bucketOf("'week'", "ss.taken_at")}, ss.statement_id, sum(ss.calls), sum(ss.total_ms)
  from dbopt_store.sample s
  join dbopt_store.statement_sample ss on ss.target_id = s.target_id and ss.taken_at = s.taken_at
 where ${where}
 group by 1, 2, 3
on conflict (target_id, bucket, statement_id) do update
  set calls = r.calls + excluded.calls, total_ms = r.total_ms + excluded.total_ms`,
    `insert into dbopt_store.workload_rollup as r (target_id, grain, bucket, samples, calls, total_ms, rows)
select per_sample.target_id, g.grain,
       case g.grain when 'sample' then per_sample.taken_at else ${bucketOf("g.grain", "per_sample.taken_at")} end,
       count(*), sum(per_sample.calls), sum(per_sample.total_ms), sum(per_sample.rows)
  from (select s.target_id, s.taken_at, coalesce(sum(ss.calls), 0) as calls,
               coalesce(sum(ss.total_ms), 0) as total_ms, coalesce(sum(ss.rows), 0) as rows
          from dbopt_store.sample s
          left join dbopt_store.statement_sample ss on ss.target_id = s.target_id and ss.taken_at = s.taken_at
         where ${where}
         group by 1, 2) per_sample
  cross join (values ('sample'), ('hour'), ('day')) g (grain)
 group by 1, 2, 3
on conflict (target_id, grain, bucket) do update set ${ADD_WORKLOAD}`,
  ];
}

/** Everything stored, summed into empty rollups (the migration's backfill). */
export const ROLLUP_FILL = rollupSamplesSql("true").join(";\n");

/** One sample ($1 target, $2 taken_at) added to the rollups, in the transaction that writes it: three statements. */
export const ROLLUP_ONE_SAMPLE = rollupSamplesSql("s.target_id = $1 and s.taken_at = $2");

/** Statements kept per bucket in statement_top: a page ranks a range on these, 10 rows shown × 5 candidates. */
export const TOP_PER_BUCKET = 50;

/**
 * Rewrite statement_top (migration 004) for the hour, day and week buckets that [from, to) touches, for the targets
 * matching `targets` (a condition on target_id): the TOP_PER_BUCKET statements with the most time in each bucket,
 * from the rollups just written. Run after rollupSamplesSql, in the same transaction: delete, then insert.
 */
export function rankTopSql(targets: string, from: string, to: string): [remove: string, insert: string] {
  const inRange = (grain: string) => `bucket >= ${bucketOf(grain, from)} and bucket < ${to}`;
  const hourOrDay = `(grain = 'hour' and ${inRange("'hour'")} or grain = 'day' and ${inRange("'day'")})`;
  return [
    `delete from dbopt_store.statement_top
 where ${targets} and (${hourOrDay} or grain = 'week' and ${inRange("'week'")})`,
    `insert into dbopt_store.statement_top (target_id, grain, bucket, statement_id, total_ms)
select target_id, grain, bucket, statement_id, total_ms from (
  select target_id, grain, bucket, statement_id, total_ms,
         row_number() over (partition by target_id, grain, bucket order by total_ms desc, statement_id) as rank
    from (select target_id, grain, bucket, statement_id, total_ms from dbopt_store.statement_rollup
           -- the day bound too, so only the partitions of the range are read (an hour starts after its day)
           where ${targets} and ${hourOrDay} and bucket >= ${bucketOf("'day'", from)}
          union all
          select target_id, 'week', bucket, statement_id, total_ms from dbopt_store.statement_week
           where ${targets} and ${inRange("'week'")}) r) ranked
 where rank <= ${TOP_PER_BUCKET}`,
  ];
}

/** One sample ($1 target, $2 taken_at): its hour's, day's and week's top statements ranked again. */
export const TOP_ONE_SAMPLE = rankTopSql(
  "target_id = $1::bigint",
  "$2::timestamptz",
  "$2::timestamptz + interval '1 microsecond'",
);
