/**
 * A table's growth per day from the history store's samples of it (dbopt collect): rows and bytes between its
 * first and last stored sample, and rows inserted (the n_tup_ins deltas, a counter reset counted from zero). At
 * least two samples a day apart are needed; fewer, and the caller falls back to the database's own counters.
 * Reads only.
 */
import type { TargetIdentity } from "./read-target-sample.js";
import type { StoreConnection } from "./store-connection.js";
import { findTarget } from "./store-targets.js";

const DAY_MS = 86_400_000;

export interface StoredGrowth {
  samples: number;
  /** Days between the first and the last sample. */
  days: number;
  from: string;
  to: string;
  /** Net change of the row estimate per day (a table trimmed by a retention grows little while rows pour in). */
  rowsPerDay: number;
  /** Rows inserted per day (n_tup_ins deltas); null when the counters were not stored. */
  insertsPerDay: number | null;
  /** Change of the table's total size (heap, indexes, TOAST) per day. */
  bytesPerDay: number;
}

export interface StoreGrowthRead {
  /** The store's target the database was found as; null when the store has no samples of it. */
  target: string | null;
  /** By schema.name; tables with fewer than two samples a day apart are absent. */
  tables: Map<string, StoredGrowth>;
  /** schema.name → why a table's stored history was not used. */
  tooShort: Map<string, string>;
}

export async function readStoredGrowth(
  store: StoreConnection,
  identity: TargetIdentity,
  address: string,
  tables: Array<{ schema: string; name: string }>,
): Promise<StoreGrowthRead> {
  const out: StoreGrowthRead = { target: null, tables: new Map(), tooShort: new Map() };
  const target = await findTarget(store, identity, address);
  if (!target) return out;
  out.target = target.address;
  for (const t of tables) {
    const [row] = await store.query<{
      samples: number;
      first_at: Date | null;
      last_at: Date | null;
      first_rows: number | null;
      last_rows: number | null;
      first_bytes: string | null;
      last_bytes: string | null;
      inserted: string | null;
      counted: number;
    }>(
      // The relation kept the longest under this name (a table dropped and created again is a new relation).
      `with rel as (
         select id from dbopt_store.relation
          where target_id = $1 and kind = 'table' and schema_name = $2 and name = $3
          order by last_seen desc limit 1),
       s as (
         select ts.taken_at, case when ts.rows_estimate >= 0 then ts.rows_estimate else ts.n_live_tup end as rows,
                ts.total_bytes, ts.n_tup_ins,
                ts.n_tup_ins - lag(ts.n_tup_ins) over (order by ts.taken_at) as inserted
           from dbopt_store.table_sample ts
          where ts.target_id = $1 and ts.relation_id = (select id from rel))
       select count(*)::int as samples, min(taken_at) as first_at, max(taken_at) as last_at,
              (select rows from s order by taken_at limit 1) as first_rows,
              (select rows from s order by taken_at desc limit 1) as last_rows,
              (select total_bytes from s order by taken_at limit 1)::text as first_bytes,
              (select total_bytes from s order by taken_at desc limit 1)::text as last_bytes,
              -- after a counter reset the counter itself is what was inserted since
              sum(case when inserted >= 0 then inserted when inserted < 0 then n_tup_ins end)::text as inserted,
              count(inserted)::int as counted
         from s`,
      [target.id, t.schema, t.name],
    );
    const name = `${t.schema}.${t.name}`;
    if (!row || row.samples < 2 || !row.first_at || !row.last_at) {
      out.tooShort.set(name, `${row?.samples ?? 0} stored sample${row?.samples === 1 ? "" : "s"}`);
      continue;
    }
    const days = (row.last_at.getTime() - row.first_at.getTime()) / DAY_MS;
    if (days < 1) {
      out.tooShort.set(
        name,
        `${row.samples} stored samples over ${(days * 24).toFixed(1)} hours, less than a day`,
      );
      continue;
    }
    out.tables.set(name, {
      samples: row.samples,
      days,
      from: row.first_at.toISOString(),
      to: row.last_at.toISOString(),
      rowsPerDay: (Number(row.last_rows ?? 0) - Number(row.first_rows ?? 0)) / days,
      insertsPerDay: row.counted > 0 && row.inserted !== null ? Number(row.inserted) / days : null,
      bytesPerDay: (Number(row.last_bytes ?? 0) - Number(row.first_bytes ?? 0)) / days,
    });
  }
  return out;
}
