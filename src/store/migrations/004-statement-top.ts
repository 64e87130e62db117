/**
 * Store schema version 4: `statement_top`, each hour's, day's and week's TOP_PER_BUCKET statements by time, so a
 * database page ranks a range on a few hundred rows instead of every statement of every bucket (10,000 rollup
 * rows and 280 ms for a day of 5,000 statements). Rewritten for a sample's buckets in the sample's transaction
 * (rollup-sql.ts rankTopSql); retention deletes the buckets of dropped days (store-partitions.ts). Small (50 rows
 * a bucket), so not partitioned; total_ms sits in the key's index so the ranking reads the index only.
 *
 * And statement_rollup's index by statement carries the sums the pages read (a chart's ten statements over a week
 * touched 1,680 heap pages, one per hourly row: an index-only scan reads ~20).
 */
import { rankTopSql } from "../rollup-sql.js";

export const STATEMENT_TOP_MIGRATION = `
create table dbopt_store.statement_top (
  target_id bigint not null,
  -- 'hour', 'day' or 'week' (UTC); bucket is the start of the hour, day or week
  grain text not null,
  bucket timestamptz not null,
  statement_id bigint not null,
  total_ms float8 not null,
  primary key (target_id, grain, bucket, statement_id) include (total_ms)
);

drop index dbopt_store.statement_rollup_statement;
create index statement_rollup_statement on dbopt_store.statement_rollup (statement_id, grain, bucket)
  include (target_id, calls, total_ms, sum_sq_ms, rows);

${rankTopSql("true", "'-infinity'::timestamptz", "'infinity'::timestamptz").join(";\n")};
`;
