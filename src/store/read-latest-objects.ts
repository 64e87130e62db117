/**
 * A target's tables, indexes and database counters as its latest sample saw them: what the findings page runs the
 * health rules on. Bounded by one sample (the newest with table rows), so its cost does not grow with history.
 */
import { TABLE_COUNTERS } from "./read-relation-stats.js";
import type { StoreConnection } from "./store-connection.js";

export interface LatestTable {
  oid: number;
  schema: string;
  name: string;
  sizeBytes: number;
  totalBytes: number;
  rowsEstimate: number;
  frozenXidAge: number | null;
  /** pg_stat_user_tables / pg_statio_user_tables columns by name, as the sample kept them. */
  counters: Record<(typeof TABLE_COUNTERS)[number], number | Date | null>;
}

export interface LatestIndex {
  oid: number;
  schema: string;
  name: string;
  tableSchema: string;
  table: string;
  definition: string;
  sizeBytes: number;
  isValid: boolean;
  idxScan: number | null;
  idxTupRead: number | null;
  idxTupFetch: number | null;
}

export interface LatestObjects {
  takenAt: Date;
  databaseBytes: number | null;
  statsResetAt: Date | null;
  serverStartedAt: Date | null;
  serverVersion: string | null;
  tables: LatestTable[];
  indexes: LatestIndex[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function readLatestObjects(
  store: StoreConnection,
  targetId: number,
): Promise<LatestObjects | null> {
  // The newest table row through each day's primary key (a merge of the partitions' last entries), then its sample.
  const [latest] = await store.query<{ taken_at: Date; server_started_at: Date | null }>(
    `select s.taken_at, s.server_started_at from dbopt_store.sample s
      where s.target_id = $1 and s.taken_at = (select t.taken_at from dbopt_store.table_sample t
                                                 where t.target_id = $1 order by t.taken_at desc limit 1)`,
    [targetId],
  );
  if (!latest) return null;
  const at = latest.taken_at;
  const tables = await store.query<Record<string, unknown>>(
    `select r.oid, r.schema_name, r.name, t.*
       from dbopt_store.table_sample t join dbopt_store.relation r on r.id = t.relation_id
      where t.target_id = $1 and t.taken_at = $2`,
    [targetId, at],
  );
  const indexes = await store.query<Record<string, unknown>>(
    `select r.oid, r.schema_name, r.name, r.table_schema, r.table_name, r.definition, i.size_bytes, i.is_valid,
            i.idx_scan, i.idx_tup_read, i.idx_tup_fetch
       from dbopt_store.index_sample i join dbopt_store.relation r on r.id = i.relation_id
      where i.target_id = $1 and i.taken_at = $2`,
    [targetId, at],
  );
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
    serverStartedAt: latest.server_started_at,
    serverVersion: database?.server_version ?? null,
    tables: tables.map((r) => ({
      oid: Number(r.oid),
      schema: String(r.schema_name),
      name: String(r.name),
      sizeBytes: Number(r.size_bytes),
      totalBytes: Number(r.total_bytes),
      rowsEstimate: Number(r.rows_estimate),
      frozenXidAge: num(r.frozen_xid_age),
      counters: Object.fromEntries(
        TABLE_COUNTERS.map((c) => [c, r[c] instanceof Date ? (r[c] as Date) : num(r[c])]),
      ) as LatestTable["counters"],
    })),
    indexes: indexes.map((r) => ({
      oid: Number(r.oid),
      schema: String(r.schema_name),
      name: String(r.name),
      tableSchema: String(r.table_schema),
      table: String(r.table_name),
      definition: String(r.definition),
      sizeBytes: Number(r.size_bytes),
      isValid: Boolean(r.is_valid),
      idxScan: num(r.idx_scan),
      idxTupRead: num(r.idx_tup_read),
      idxTupFetch: num(r.idx_tup_fetch),
    })),
  };
}
