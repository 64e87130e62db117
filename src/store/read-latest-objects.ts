/**
 * A target's tables, indexes and database counters as its latest sample saw them: what the findings page runs the
 * health rules on. Bounded by one sample (the newest with table rows), so its cost does not grow with history.
 */
import { type StoredIndex, type StoredTable, sampleIndexes, sampleTables } from "./read-sample-objects.js";
import type { StoreConnection } from "./store-connection.js";

export interface LatestObjects {
  takenAt: Date;
  databaseBytes: number | null;
  statsResetAt: Date | null;
  serverStartedAt: Date | null;
  serverVersion: string | null;
  tables: StoredTable[];
  indexes: StoredIndex[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export interface ObjectsSample {
  takenAt: Date;
  serverStartedAt: Date | null;
}

/** The newest sample with table rows: what readObjectsAt reads, and what a page's cached findings are keyed by. */
export async function latestObjectsSample(
  store: StoreConnection,
  targetId: number,
): Promise<ObjectsSample | null> {
  // The newest table row through each day's primary key (a merge of the partitions' last entries), then its sample.
  const [latest] = await store.query<{ taken_at: Date; server_started_at: Date | null }>(
    `select s.taken_at, s.server_started_at from dbopt_store.sample s
      where s.target_id = $1 and s.taken_at = (select t.taken_at from dbopt_store.table_sample t
                                                 where t.target_id = $1 order by t.taken_at desc limit 1)`,
    [targetId],
  );
  return latest ? { takenAt: latest.taken_at, serverStartedAt: latest.server_started_at } : null;
}

/** The tables, indexes and database counters of one sample. */
export async function readObjectsAt(
  store: StoreConnection,
  targetId: number,
  sample: ObjectsSample,
): Promise<LatestObjects> {
  const at = sample.takenAt;
  // One session: one query at a time.
  const tables = await sampleTables(store, targetId, at);
  const indexes = await sampleIndexes(store, targetId, at);
  const [database] = await store.query<{
    size_bytes: string | null;
    stats_reset: Date | null;
    server_version: string | null;
  }>(
    `select d.size_bytes, d.stats_reset, t.server_version
       from dbopt_store.target t left join dbopt_store.database_sample d on d.target_id = t.id and d.taken_at = $2
      where t.id = $1`,
    [targetId, at],
  );
  return {
    takenAt: at,
    databaseBytes: num(database?.size_bytes),
    statsResetAt: database?.stats_reset ?? null,
    serverStartedAt: sample.serverStartedAt,
    serverVersion: database?.server_version ?? null,
    tables,
    indexes,
  };
}
