import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { CheckpointStats } from "../snapshot.js";
import { isoOrNull, num, numOrNull } from "./user-schemas.js";

type Row = Record<string, unknown>;

/**
 * Checkpoints started by time vs requested (pg_stat_checkpointer on 17+, pg_stat_bgwriter before), and the WAL
 * written over the same time (pg_stat_wal, 14+), each with its own stats_reset: whether requested checkpoints were
 * forced by WAL volume is told by WAL per checkpoint, only when both counters cover the same period.
 */
export async function collectCheckpoints(db: PostgresConnector, major: number): Promise<CheckpointStats> {
  const counters =
    major >= 17
      ? `select 'pg_stat_checkpointer' as source, num_timed as timed, num_requested as requested,
                ${major >= 18 ? "num_done" : "null::bigint"} as done, buffers_written, stats_reset
           from pg_stat_checkpointer`
      : `select 'pg_stat_bgwriter' as source, checkpoints_timed as timed, checkpoints_req as requested,
                null::bigint as done, buffers_checkpoint as buffers_written, stats_reset
           from pg_stat_bgwriter`;
  const [r] = await db.query<Row>(counters);
  const [w] =
    major >= 14
      ? await db.query<Row>(
          "select wal_bytes, stats_reset, pg_postmaster_start_time() as started, now() as server_now from pg_stat_wal",
        )
      : await db.query<Row>(
          "select null::numeric as wal_bytes, null::timestamptz as stats_reset, pg_postmaster_start_time() as started, now() as server_now",
        );
  return {
    source: major >= 17 ? "pg_stat_checkpointer" : "pg_stat_bgwriter",
    timed: num(r?.timed),
    requested: num(r?.requested),
    buffersWritten: num(r?.buffers_written),
    statsResetAt: isoOrNull(r?.stats_reset),
    done: numOrNull(r?.done),
    walBytes: numOrNull(w?.wal_bytes),
    walStatsResetAt: isoOrNull(w?.stats_reset),
    serverStartedAt: isoOrNull(w?.started),
    serverNow: isoOrNull(w?.server_now),
  };
}
