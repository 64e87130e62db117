import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { CheckpointStats } from "../snapshot.js";
import { isoOrNull, num } from "./user-schemas.js";

type Row = Record<string, unknown>;

/** Checkpoints started by time vs by WAL volume: pg_stat_checkpointer on 17+, pg_stat_bgwriter before. */
export async function collectCheckpoints(db: PostgresConnector, major: number): Promise<CheckpointStats> {
  if (major >= 17) {
    const [r] = await db.query<Row>(
      "select num_timed, num_requested, buffers_written, stats_reset from pg_stat_checkpointer",
    );
    return {
      source: "pg_stat_checkpointer",
      timed: num(r?.num_timed),
      requested: num(r?.num_requested),
      buffersWritten: num(r?.buffers_written),
      statsResetAt: isoOrNull(r?.stats_reset),
    };
  }
  const [r] = await db.query<Row>(
    "select checkpoints_timed, checkpoints_req, buffers_checkpoint, stats_reset from pg_stat_bgwriter",
  );
  return {
    source: "pg_stat_bgwriter",
    timed: num(r?.checkpoints_timed),
    requested: num(r?.checkpoints_req),
    buffersWritten: num(r?.buffers_checkpoint),
    statsResetAt: isoOrNull(r?.stats_reset),
  };
}
