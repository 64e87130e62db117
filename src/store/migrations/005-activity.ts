/**
 * Store schema version 5: `activity_sample`, the connections of the target's server as one look at
 * pg_stat_activity saw them when the sample was taken: counts by state (what a pool is sized from: connections
 * held against connections busy), lock waits, the age of every open transaction, max_connections and the reserved
 * ones (the headroom), and the same connections grouped by state, application, user, client address and database
 * (which client holds them). One row per sample, partitioned by day like the other sample tables and dropped with
 * its day; `dbopt advise scaling --store` reads peaks and percentiles over days from it.
 *
 * Counts cover the whole server's client backends, not only the target's database: max_connections is the
 * server's, and a pooler in front of it serves every database. dbopt's own session is left out.
 */
export const ACTIVITY_MIGRATION = `
create table dbopt_store.activity_sample (
  target_id bigint not null,
  taken_at timestamptz not null,
  connections integer not null,
  active integer not null,
  idle integer not null,
  idle_in_transaction integer not null,
  idle_in_transaction_aborted integer not null,
  -- fastpath function call, disabled, or no state (a backend still starting)
  other integer not null,
  lock_waits integer not null,
  max_connections integer not null,
  -- superuser_reserved_connections (and reserved_connections, 16+): not available to the application
  reserved_connections integer not null,
  -- seconds each open transaction had run (active and idle in transaction sessions)
  xact_ages real[] not null,
  -- [{state, application, user, clientAddr, database, connections, lockWaits, oldestXactS}]
  groups jsonb not null,
  primary key (target_id, taken_at)
) partition by range (taken_at);
`;
