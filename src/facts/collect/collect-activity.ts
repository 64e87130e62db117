import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { mayHoldSecret, redactSecrets } from "../../util/secret-sql-text.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import type { ActivityFacts } from "../snapshot.js";
import { num, numOrNull } from "./user-schemas.js";

type Row = Record<string, unknown>;

/** Client sessions of the whole server (not dbopt's own), who blocks whom, and connection headroom. */
export async function collectActivity(db: PostgresConnector): Promise<ActivityFacts> {
  const sessions = await db.query<Row>(`
    select pid, coalesce(usename, '') as usename, coalesce(application_name, '') as application_name,
           client_addr::text as client_addr, datname, state, wait_event_type, wait_event,
           extract(epoch from now() - xact_start)::float8 as xact_age,
           extract(epoch from now() - query_start)::float8 as query_age,
           extract(epoch from now() - state_change)::float8 as state_age,
           pg_blocking_pids(pid) as blocked_by, left(coalesce(query, ''), 2000) as query
      from pg_stat_activity
     where backend_type = 'client backend' and pid <> pg_backend_pid()
     order by pid`);
  const [limits] = await db.query<Row>(`
    select current_setting('max_connections')::int as max_connections,
           current_setting('superuser_reserved_connections')::int as reserved,
           (select coalesce(json_object_agg(state, n), '{}') from (
              select coalesce(state, 'unknown') as state, count(*)::int as n
                from pg_stat_activity where backend_type = 'client backend' group by 1) s) as by_state`);
  const builds = await db.query<Row>(`
    select p.pid, p.relid::regclass::text as table_name, p.index_relid::regclass::text as index_name,
           p.index_relid::int8 as index_oid, p.phase
      from pg_stat_progress_create_index p where p.index_relid <> 0`);
  // Other sessions' statements as they run, literals and all: an ALTER ROLE ... PASSWORD shows its secret.
  if (sessions.some((r) => mayHoldSecret(String(r.query)))) await loadSqlParser();
  return {
    sessions: sessions.map((r) => ({
      pid: num(r.pid),
      user: String(r.usename),
      application: String(r.application_name),
      clientAddr: (r.client_addr as string | null) ?? null,
      database: (r.datname as string | null) ?? null,
      state: (r.state as string | null) ?? null,
      waitEventType: (r.wait_event_type as string | null) ?? null,
      waitEvent: (r.wait_event as string | null) ?? null,
      xactAgeS: numOrNull(r.xact_age),
      queryAgeS: numOrNull(r.query_age),
      stateAgeS: numOrNull(r.state_age),
      blockedBy: ((r.blocked_by as number[] | null) ?? []).map(Number),
      query: redactSecrets(String(r.query), "postgres"),
    })),
    connectionsByState: (limits?.by_state as Record<string, number>) ?? {},
    maxConnections: num(limits?.max_connections),
    reservedConnections: num(limits?.reserved),
    indexBuilds: builds.map((r) => ({
      pid: num(r.pid),
      table: String(r.table_name),
      index: String(r.index_name),
      indexOid: num(r.index_oid),
      phase: String(r.phase),
    })),
  };
}
