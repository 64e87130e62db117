/**
 * Store schema version 3: rollups, so a dashboard page over 30 days reads hundreds of rows, not the 43 million
 * statement deltas 5,000 statements leave in 30 days of 5-minute samples.
 *
 * - `statement_rollup`: each statement's deltas summed per UTC hour and per UTC day (`grain`), with how many
 *   samples went in; sums of squares add up too, so a bucket's mean and stddev are exact (window-statistics.ts).
 * - `workload_rollup`: all statements together per sample, per hour and per day: the "everything" a stacked chart
 *   subtracts its top statements from, without summing 5,000 rows per point.
 * - `statement_week`: calls and time per statement per UTC week, to rank the statements of a long range.
 *
 * Both are written in the sample's own transaction (sample-writer.ts), so a rollup never holds half a sample, and
 * are partitioned by `bucket` one UTC day per partition like the samples, so `--keep` drops a day's rollups with
 * its samples. The migration creates their partitions for the days already stored and fills them from the samples.
 */
import { ROLLUP_FILL } from "../rollup-sql.js";

export const ROLLUPS_MIGRATION = `
create table dbopt_store.statement_rollup (
  target_id bigint not null,
  -- 'hour' or 'day' (UTC); bucket is the start of the hour or day
  grain text not null,
  bucket timestamptz not null,
  statement_id bigint not null,
  samples integer not null,
  calls bigint not null,
  total_ms float8 not null,
  sum_sq_ms float8 not null,
  rows bigint not null,
  shared_blks_hit bigint not null,
  shared_blks_read bigint not null,
  temp_blks_written bigint not null,
  primary key (target_id, grain, bucket, statement_id)
) partition by range (bucket);
create index statement_rollup_statement on dbopt_store.statement_rollup (statement_id, grain, bucket);

-- each statement's deltas per UTC week (from Monday): what a page ranks all statements by over a month, reading
-- ~5 buckets instead of 30. Not partitioned: a week starts before most of its days' partitions exist; retention
-- deletes whole weeks (store-partitions.ts).
create table dbopt_store.statement_week (
  target_id bigint not null,
  bucket timestamptz not null,
  statement_id bigint not null,
  calls bigint not null,
  total_ms float8 not null,
  primary key (target_id, bucket, statement_id)
);

create table dbopt_store.workload_rollup (
  target_id bigint not null,
  -- 'sample' (bucket = taken_at), 'hour' or 'day'
  grain text not null,
  bucket timestamptz not null,
  samples integer not null,
  calls bigint not null,
  total_ms float8 not null,
  rows bigint not null,
  primary key (target_id, grain, bucket)
) partition by range (bucket);

-- a statement's plans over time without reading every statement's plan rows
create index plan_sample_statement on dbopt_store.plan_sample (statement_id, taken_at);

do $$
declare
  day record;
begin
  for day in
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'dbopt_store.sample'::regclass
  loop
    execute format('create table dbopt_store.%I partition of dbopt_store.statement_rollup %s',
                   replace(day.name, 'sample_p', 'statement_rollup_p'), day.bound);
    execute format('create table dbopt_store.%I partition of dbopt_store.workload_rollup %s',
                   replace(day.name, 'sample_p', 'workload_rollup_p'), day.bound);
  end loop;
end
$$;

${ROLLUP_FILL}
`;
