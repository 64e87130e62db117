import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { ReplicationFacts } from "../snapshot.js";
import { numOrNull } from "./user-schemas.js";

type Row = Record<string, unknown>;

/** Replication slots with the WAL they hold back, and the standbys streaming from this server. */
export async function collectReplication(db: PostgresConnector): Promise<ReplicationFacts> {
  const [{ in_recovery: inRecovery } = { in_recovery: false }] = await db.query<{ in_recovery: boolean }>(
    "select pg_is_in_recovery() as in_recovery",
  );
  const current = inRecovery ? "pg_last_wal_receive_lsn()" : "pg_current_wal_lsn()";
  const slots = await db.query<Row>(`
    select slot_name, slot_type, active, database, wal_status,
           pg_wal_lsn_diff(${current}, restart_lsn)::float8 as retained
      from pg_replication_slots order by slot_name`);
  const standbys = await db.query<Row>(`
    select coalesce(application_name, '') as application_name, client_addr::text as client_addr, state, sync_state,
           extract(epoch from replay_lag)::float8 as replay_lag,
           pg_wal_lsn_diff(${current}, replay_lsn)::float8 as replay_bytes
      from pg_stat_replication order by application_name`);
  return {
    inRecovery: Boolean(inRecovery),
    slots: slots.map((r) => ({
      name: String(r.slot_name),
      type: String(r.slot_type),
      active: Boolean(r.active),
      database: (r.database as string | null) ?? null,
      retainedBytes: numOrNull(r.retained),
      walStatus: (r.wal_status as string | null) ?? null,
    })),
    standbys: standbys.map((r) => ({
      application: String(r.application_name),
      clientAddr: (r.client_addr as string | null) ?? null,
      state: (r.state as string | null) ?? null,
      syncState: (r.sync_state as string | null) ?? null,
      replayLagS: numOrNull(r.replay_lag),
      replayLagBytes: numOrNull(r.replay_bytes),
    })),
  };
}
