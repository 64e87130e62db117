import { InputError } from "../util/input-error.js";
import { type IndexSample, TABLE_COUNTERS } from "./read-relation-stats.js";
import type { StoreConnection } from "./store-connection.js";

type Row = Record<string, unknown>;

/** A table as one stored sample saw it: its sizes and the pg_stat_user_tables / pg_statio counters by column name. */
export interface StoredTable {
  schema: string;
  name: string;
  kind: string;
  oid: number;
  sizeBytes: number;
  totalBytes: number;
  rowsEstimate: number;
  frozenXidAge: number | null;
  counters: Record<(typeof TABLE_COUNTERS)[number], unknown>;
}

/** An index as a sample keeps it: the same as what a sample reads from the target. */
export type StoredIndex = IndexSample;

export interface StoredSetting {
  name: string;
  setting: string;
  unit: string | null;
  source: string;
  pendingRestart: boolean;
}

export interface StoredTarget {
  id: number;
  address: string;
  database: string;
  serverVersion: string | null;
}

/** The target's sample taken at or before `at` (the latest such); null when it has none that early. */
export async function sampleAtOrBefore(
  store: StoreConnection,
  targetId: number,
  at: Date,
): Promise<Date | null> {
  const [row] = await store.query<{ at: Date | null }>(
    "select max(taken_at) as at from dbopt_store.sample where target_id = $1 and taken_at <= $2",
    [targetId, at],
  );
  return row?.at ?? null;
}

/** The target's sample nearest to `at`, before or after it; null when the target has no sample. */
export async function nearestSample(
  store: StoreConnection,
  targetId: number,
  at: Date,
): Promise<Date | null> {
  const [row] = await store.query<{ at: Date | null }>(
    `select taken_at as at from dbopt_store.sample where target_id = $1
      order by abs(extract(epoch from taken_at - $2::timestamptz)) limit 1`,
    [targetId, at],
  );
  return row?.at ?? null;
}

export async function sampleTables(
  store: StoreConnection,
  targetId: number,
  at: Date,
): Promise<StoredTable[]> {
  const rows = await store.query<Row>(
    `select r.schema_name, r.name, r.kind, r.oid, t.size_bytes, t.total_bytes, t.rows_estimate, t.frozen_xid_age,
            ${TABLE_COUNTERS.map((c) => `t.${c}`).join(", ")}
       from dbopt_store.table_sample t join dbopt_store.relation r on r.id = t.relation_id
      where t.target_id = $1 and t.taken_at = $2
      order by r.schema_name, r.name`,
    [targetId, at],
  );
  return rows.map((r) => ({
    schema: String(r.schema_name),
    name: String(r.name),
    kind: String(r.kind),
    oid: Number(r.oid),
    sizeBytes: Number(r.size_bytes),
    totalBytes: Number(r.total_bytes),
    rowsEstimate: Number(r.rows_estimate),
    frozenXidAge: r.frozen_xid_age === null ? null : Number(r.frozen_xid_age),
    counters: Object.fromEntries(TABLE_COUNTERS.map((c) => [c, r[c]])) as StoredTable["counters"],
  }));
}

export async function sampleIndexes(
  store: StoreConnection,
  targetId: number,
  at: Date,
): Promise<StoredIndex[]> {
  const rows = await store.query<Row>(
    `select r.schema_name, r.name, r.oid, r.table_schema, r.table_name, r.definition, i.size_bytes, i.is_valid,
            i.idx_scan, i.idx_tup_read, i.idx_tup_fetch
       from dbopt_store.index_sample i join dbopt_store.relation r on r.id = i.relation_id
      where i.target_id = $1 and i.taken_at = $2
      order by r.schema_name, r.name`,
    [targetId, at],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    schema: String(r.schema_name),
    name: String(r.name),
    oid: Number(r.oid),
    tableSchema: String(r.table_schema ?? ""),
    table: String(r.table_name ?? ""),
    definition: String(r.definition ?? ""),
    sizeBytes: Number(r.size_bytes),
    isValid: Boolean(r.is_valid),
    idxScan: num(r.idx_scan),
    idxTupRead: num(r.idx_tup_read),
    idxTupFetch: num(r.idx_tup_fetch),
  }));
}

/** Every setting as it stood at `at`: the latest change written at or before it (the store writes only changes). */
export async function settingsAt(
  store: StoreConnection,
  targetId: number,
  at: Date,
): Promise<StoredSetting[]> {
  const rows = await store.query<Row>(
    `select distinct on (name) name, setting, unit, source, pending_restart from dbopt_store.setting_change
      where target_id = $1 and changed_at <= $2 order by name, changed_at desc`,
    [targetId, at],
  );
  return rows.map((r) => ({
    name: String(r.name),
    setting: String(r.setting),
    unit: (r.unit as string | null) ?? null,
    source: String(r.source),
    pendingRestart: Boolean(r.pending_restart),
  }));
}

/**
 * The store's targets named `wanted` (all of them when it is undefined): its address as stored
 * (user@host:port/database, with or without postgresql://) or its database name. None matching is the user's error.
 */
export async function storedTargets(
  store: StoreConnection,
  wanted: string | undefined,
): Promise<StoredTarget[]> {
  const rows = (
    await store.query<{ id: string; address: string; database_name: string; server_version: string | null }>(
      "select id, address, database_name, server_version from dbopt_store.target order by address",
    )
  ).map((r) => ({
    id: Number(r.id),
    address: r.address,
    database: r.database_name,
    serverVersion: r.server_version,
  }));
  if (wanted === undefined) return rows;
  // A URL names its target by user@host:port/database; a bare name by the database.
  const exact = rows.filter((r) => r.address === wanted || `postgresql://${r.address}` === wanted);
  const chosen = exact.length
    ? exact
    : rows.filter((r) => r.database === wanted || r.address.endsWith(`/${wanted}`));
  if (!chosen.length)
    throw new InputError(
      `the history store has no samples of ${wanted}`,
      rows.length
        ? `it has: ${rows.map((r) => r.address).join(", ")}`
        : "run dbopt collect on the database first (with the same --store)",
    );
  return chosen;
}

/** The store's one target named `wanted` (see storedTargets); naming several is the user's error. */
export async function storedTarget(store: StoreConnection, wanted: string): Promise<StoredTarget> {
  const chosen = await storedTargets(store, wanted);
  const first = chosen[0] as StoredTarget;
  if (chosen.length > 1)
    throw new InputError(
      `${wanted} names ${chosen.length} targets in the history store: ${chosen.map((r) => r.address).join(", ")}`,
      "pass the one you mean as user@host:port/database",
    );
  return first;
}
