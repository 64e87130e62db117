/**
 * Connections over a short window: pg_stat_activity read several times (one snapshot says little about a pool:
 * the busy moments are what size it), plus the database's own session counters (pg_stat_database, 14+), which
 * add up every session since the statistics were reset. Read-only; dbopt's own session is left out.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";

export interface ActivityGroup {
  state: string;
  application: string;
  user: string;
  clientAddr: string | null;
  database: string | null;
  connections: number;
  /** Of them, waiting on a lock. */
  lockWaits: number;
  /** The oldest open transaction among them, in seconds (null: none open). */
  oldestXactS: number | null;
}

export interface ActivitySample {
  atMs: number;
  groups: ActivityGroup[];
  /** Seconds each transaction open at that moment has run (active and idle-in-transaction sessions). */
  openXactAgesS: number[];
}

/** pg_stat_database's session counters for the current database since stats_reset (PostgreSQL 14+). */
export interface SessionTotals {
  sessions: number;
  sessionTimeMs: number;
  activeTimeMs: number;
  idleInTransactionTimeMs: number;
  transactions: number;
  statsReset: string | null;
}

export interface ActivitySamples {
  samples: ActivitySample[];
  intervalMs: number;
  maxConnections: number;
  reservedConnections: number;
  /** null before PostgreSQL 14, which has no session counters. */
  sessionTotals: SessionTotals | null;
  /** Samples `dbopt collect` kept in the history store (advise scaling --store); absent: sampled just now. */
  stored?: StoredActivitySpan;
}

/** Which stored samples were read: the store, the window they span, and who held the most connections. */
export interface StoredActivitySpan {
  store: string;
  firstAt: string;
  lastAt: string;
  days: number;
  /** max_connections changed within the window: every value seen. */
  maxConnectionsSeen: number[];
  /** The largest groups (state, application, user, client) at the sample holding the most connections. */
  busiestClients: Array<{
    application: string;
    user: string;
    clientAddr: string | null;
    state: string;
    connections: number;
  }>;
}

export interface SampleOptions {
  samples: number;
  intervalMs: number;
  signal?: AbortSignal;
}

export async function sampleActivity(
  db: PostgresConnector,
  options: SampleOptions,
): Promise<ActivitySamples> {
  const samples: ActivitySample[] = [];
  for (let i = 0; i < options.samples; i++) {
    if (i > 0) await pause(options.intervalMs, options.signal);
    samples.push(await readActivitySample(db));
  }
  const limits = await readConnectionLimits(db);
  return {
    samples,
    intervalMs: options.intervalMs,
    maxConnections: limits.maxConnections,
    reservedConnections: limits.reservedConnections,
    sessionTotals: limits.serverVersionNum >= 140000 ? await readSessionTotals(db) : null,
  };
}

/** max_connections and the connections the application cannot have (superuser_reserved_connections, and
 * reserved_connections from 16). */
export async function readConnectionLimits(
  db: PostgresConnector,
): Promise<{ maxConnections: number; reservedConnections: number; serverVersionNum: number }> {
  const [limits] = await db.query<{ max: number; reserved: number; version: number }>(
    `select current_setting('max_connections')::int as max,
            current_setting('superuser_reserved_connections')::int
              + coalesce(current_setting('reserved_connections', true)::int, 0) as reserved,
            current_setting('server_version_num')::int as version`,
  );
  return {
    maxConnections: Number(limits?.max ?? 0),
    reservedConnections: Number(limits?.reserved ?? 0),
    serverVersionNum: Number(limits?.version ?? 0),
  };
}

/** One look at pg_stat_activity: the server's client backends grouped, without the reading session. */
export async function readActivitySample(db: PostgresConnector): Promise<ActivitySample> {
  const rows = await db.query<Record<string, unknown>>(`
    select coalesce(state, 'unknown') as state, coalesce(application_name, '') as application,
           coalesce(usename, '') as usr, client_addr::text as client_addr, datname,
           count(*)::int as n, count(*) filter (where wait_event_type = 'Lock')::int as lock_waits,
           max(extract(epoch from clock_timestamp() - xact_start))::float8 as oldest_xact,
           array_agg(extract(epoch from clock_timestamp() - xact_start)::float8)
             filter (where xact_start is not null) as xact_ages
      from pg_stat_activity
     where backend_type = 'client backend' and pid <> pg_backend_pid()
     group by 1, 2, 3, 4, 5`);
  return {
    atMs: Date.now(),
    groups: rows.map((r) => ({
      state: String(r.state),
      application: String(r.application),
      user: String(r.usr),
      clientAddr: (r.client_addr as string | null) ?? null,
      database: (r.datname as string | null) ?? null,
      connections: Number(r.n),
      lockWaits: Number(r.lock_waits),
      oldestXactS: r.oldest_xact === null ? null : Number(r.oldest_xact),
    })),
    openXactAgesS: rows.flatMap((r) => ((r.xact_ages as number[] | null) ?? []).map(Number)),
  };
}

async function readSessionTotals(db: PostgresConnector): Promise<SessionTotals> {
  const [r] = await db.query<Record<string, unknown>>(`
    select sessions, session_time, active_time, idle_in_transaction_time,
           xact_commit + xact_rollback as transactions, stats_reset::text as stats_reset
      from pg_stat_database where datname = current_database()`);
  return {
    sessions: Number(r?.sessions ?? 0),
    sessionTimeMs: Number(r?.session_time ?? 0),
    activeTimeMs: Number(r?.active_time ?? 0),
    idleInTransactionTimeMs: Number(r?.idle_in_transaction_time ?? 0),
    transactions: Number(r?.transactions ?? 0),
    statsReset: (r?.stats_reset as string | null) ?? null,
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
