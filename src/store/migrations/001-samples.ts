/**
 * Store schema version 1: targets, samples and gaps, statements with their per-sample deltas and the counters
 * the next delta starts from, database-wide counters, tables and indexes, settings changes and wait events.
 *
 * Sample tables are RANGE partitioned by `taken_at` (the sampled server's clock at the start of the sample), one
 * partition per UTC day (store-partitions.ts creates them ahead and drops them for retention). They have no
 * foreign keys, so a whole day is dropped at once; dimension tables (target, statement, relation) are not
 * partitioned and keep the names that samples refer to by id.
 */
export const SAMPLES_MIGRATION = `
create table dbopt_store.target (
  id bigint generated always as identity primary key,
  -- pg_control_system(): the cluster, whatever its address; null when the role may not read it (or never reached)
  system_identifier bigint,
  database_name text not null,
  -- user@host:port/database as given, without a password: how people name it, and the key of a target never reached
  address text not null,
  server_version text,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now()
);
create unique index target_identity on dbopt_store.target (system_identifier, database_name)
  where system_identifier is not null;
create index target_address on dbopt_store.target (address);

create table dbopt_store.sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  -- the sample the deltas are taken from; null for a target's first sample, which has counters but no deltas
  previous_taken_at timestamptz,
  server_started_at timestamptz,
  statements_reset_at timestamptz,
  -- pg_stat_statements_info.dealloc: entries evicted since the reset (their counters were lost)
  statements_evicted bigint,
  -- why every counter started again since the previous sample: 'server restart', 'statistics reset', or null
  counters_restarted text,
  statements integer not null,
  statements_active integer not null,
  wait_probes integer not null,
  duration_ms real not null,
  collector text not null,
  dbopt_version text not null,
  primary key (target_id, taken_at)
) partition by range (taken_at);

-- a sample that could not be taken, with the reason
create table dbopt_store.gap (
  target_id bigint not null,
  taken_at timestamptz not null,
  error_code text not null,
  error text not null,
  collector text not null,
  primary key (target_id, taken_at)
) partition by range (taken_at);

-- one pg_stat_statements entry (userid, dbid, queryid, toplevel) of a target
create table dbopt_store.statement (
  id bigint generated always as identity primary key,
  target_id bigint not null references dbopt_store.target on delete cascade,
  queryid bigint not null,
  user_name text not null,
  toplevel boolean not null,
  -- libpg_query's fingerprint of the text: the same statement on another server or major version (queryid differs)
  fingerprint text,
  query text not null,
  first_seen timestamptz not null,
  last_seen timestamptz not null,
  unique (target_id, queryid, user_name, toplevel)
);
create index statement_fingerprint on dbopt_store.statement (target_id, fingerprint);

-- cumulative counters as last read, one row per statement: where the next delta starts, kept in the store so a
-- restarted collector continues from the last committed sample. sum_sq_ms = calls * (stddev^2 + mean^2).
create table dbopt_store.statement_counter (
  statement_id bigint primary key references dbopt_store.statement on delete cascade,
  target_id bigint not null,
  read_at timestamptz not null,
  stats_since timestamptz,
  calls bigint not null,
  total_ms float8 not null,
  sum_sq_ms float8 not null,
  rows bigint not null,
  plan_ms float8 not null,
  shared_blks_hit bigint not null,
  shared_blks_read bigint not null,
  shared_blks_dirtied bigint not null,
  shared_blks_written bigint not null,
  temp_blks_read bigint not null,
  temp_blks_written bigint not null,
  blk_read_ms float8 not null,
  blk_write_ms float8 not null
);
create index statement_counter_target on dbopt_store.statement_counter (target_id);

-- what each statement did between the previous sample and this one (only statements that did something)
create table dbopt_store.statement_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  statement_id bigint not null,
  calls bigint not null,
  total_ms float8 not null,
  sum_sq_ms float8 not null,
  rows bigint not null,
  plan_ms float8 not null,
  shared_blks_hit bigint not null,
  shared_blks_read bigint not null,
  shared_blks_dirtied bigint not null,
  shared_blks_written bigint not null,
  temp_blks_read bigint not null,
  temp_blks_written bigint not null,
  blk_read_ms float8 not null,
  blk_write_ms float8 not null,
  -- the entry started again within the interval (reset, eviction, restart): the figures are since then
  restarted boolean not null,
  primary key (target_id, taken_at, statement_id)
) partition by range (taken_at);
create index statement_sample_statement on dbopt_store.statement_sample (statement_id, taken_at);

-- database-wide cumulative counters as read; each family carries its own reset time for later deltas
create table dbopt_store.database_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  size_bytes bigint,
  numbackends integer,
  xact_commit bigint,
  xact_rollback bigint,
  blks_read bigint,
  blks_hit bigint,
  tup_returned bigint,
  tup_fetched bigint,
  tup_inserted bigint,
  tup_updated bigint,
  tup_deleted bigint,
  temp_files bigint,
  temp_bytes bigint,
  deadlocks bigint,
  blk_read_ms float8,
  blk_write_ms float8,
  stats_reset timestamptz,
  -- pg_stat_checkpointer on 17+, pg_stat_bgwriter before
  checkpoints_source text,
  checkpoints_timed bigint,
  checkpoints_requested bigint,
  checkpoint_buffers_written bigint,
  checkpoints_reset_at timestamptz,
  wal_bytes numeric,
  wal_records bigint,
  wal_fpi bigint,
  wal_reset_at timestamptz,
  primary key (target_id, taken_at)
) partition by range (taken_at);

-- a table or an index of a target; a dropped and recreated one is a new row (a new oid)
create table dbopt_store.relation (
  id bigint generated always as identity primary key,
  target_id bigint not null references dbopt_store.target on delete cascade,
  kind text not null,
  oid bigint not null,
  schema_name text not null,
  name text not null,
  -- for an index: its table, and pg_get_indexdef
  table_schema text,
  table_name text,
  definition text,
  first_seen timestamptz not null,
  last_seen timestamptz not null,
  unique (target_id, oid, schema_name, name)
);

create table dbopt_store.table_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  relation_id bigint not null,
  size_bytes bigint not null,
  total_bytes bigint not null,
  rows_estimate float8 not null,
  frozen_xid_age bigint,
  seq_scan bigint,
  seq_tup_read bigint,
  idx_scan bigint,
  idx_tup_fetch bigint,
  n_tup_ins bigint,
  n_tup_upd bigint,
  n_tup_del bigint,
  n_tup_hot_upd bigint,
  n_live_tup bigint,
  n_dead_tup bigint,
  n_mod_since_analyze bigint,
  last_vacuum timestamptz,
  last_autovacuum timestamptz,
  last_analyze timestamptz,
  last_autoanalyze timestamptz,
  vacuum_count bigint,
  autovacuum_count bigint,
  analyze_count bigint,
  autoanalyze_count bigint,
  heap_blks_read bigint,
  heap_blks_hit bigint,
  primary key (target_id, taken_at, relation_id)
) partition by range (taken_at);

create table dbopt_store.index_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  relation_id bigint not null,
  size_bytes bigint not null,
  is_valid boolean not null,
  idx_scan bigint,
  idx_tup_read bigint,
  idx_tup_fetch bigint,
  primary key (target_id, taken_at, relation_id)
) partition by range (taken_at);

-- a setting's value from the sample where it was first seen with it; only changes are written, so it is small
-- and not partitioned (retention keeps the whole history)
create table dbopt_store.setting_change (
  target_id bigint not null references dbopt_store.target on delete cascade,
  changed_at timestamptz not null,
  name text not null,
  setting text not null,
  unit text,
  source text not null,
  pending_restart boolean not null,
  primary key (target_id, name, changed_at)
);

-- pg_stat_activity sampled several times per interval: how many sessions of the target's database were seen in
-- each state and wait; sessions / sample.wait_probes is the average number of active sessions
create table dbopt_store.wait_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  state text not null,
  wait_event_type text not null,
  wait_event text not null,
  -- pg_stat_activity.query_id (14+, compute_query_id); 0 when unknown
  queryid bigint not null,
  sessions integer not null,
  primary key (target_id, taken_at, state, wait_event_type, wait_event, queryid)
) partition by range (taken_at);
`;
