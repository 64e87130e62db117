/**
 * Tables and indexes over time for the growth page: sizes, dead rows and transaction-ID age of the largest and
 * worst ones. Sizes and counters are gauges, so a long range takes one sample per bin (the last in it) instead of
 * summing: at most ~600 sample times × the few relations drawn, read through the samples' primary keys.
 */
import type { TimeRange } from "./read-dashboard.js";
import { binLabel, chartBins } from "./rollup-grain.js";
import type { StoreConnection } from "./store-connection.js";

/** Relations drawn per chart. */
const PER_CHART = 8;

export interface RelationSeries {
  id: number;
  name: string;
  /** One value per time of the growth (null where the sample has no row for it). */
  values: Array<number | null>;
  first: number | null;
  last: number | null;
}

export interface Growth {
  times: Date[];
  bin: string;
  tableBytes: RelationSeries[];
  indexBytes: RelationSeries[];
  deadRows: RelationSeries[];
  xidAge: RelationSeries[];
}

export async function readGrowth(
  store: StoreConnection,
  targetId: number,
  range: TimeRange,
  samples: number,
): Promise<Growth> {
  const bins = chartBins(range, samples);
  const step = bins.stepMs / 1000;
  const timeRows = await store.query<{ at: Date }>(
    `select max(taken_at) as at from dbopt_store.sample
      where target_id = $1 and taken_at >= $2 and taken_at < $3
      group by ${step ? `floor(extract(epoch from taken_at) / ${step})` : "taken_at"} order by 1`,
    [targetId, range.from, range.to],
  );
  const times = timeRows.map((r) => r.at);
  const empty = { times, bin: binLabel(bins), tableBytes: [], indexBytes: [], deadRows: [], xidAge: [] };
  const last = times.at(-1);
  if (!last) return empty;
  // The relations to draw: the largest and worst in the range's last sample.
  const top = (table: string, column: string) =>
    store.query<{ id: string; name: string }>(
      `select r.id, r.schema_name || '.' || r.name as name from dbopt_store.${table} x
         join dbopt_store.relation r on r.id = x.relation_id
        where x.target_id = $1 and x.taken_at = $2 and x.${column} is not null and x.${column} > 0
        order by x.${column} desc, r.id limit ${PER_CHART}`,
      [targetId, last],
    );
  // One session: one query at a time.
  const largest = await top("table_sample", "total_bytes");
  const deadest = await top("table_sample", "n_dead_tup");
  const oldest = await top("table_sample", "frozen_xid_age");
  const indexes = await top("index_sample", "size_bytes");
  const tableIds = [...new Set([...largest, ...deadest, ...oldest].map((r) => Number(r.id)))];
  const tableRows = await store.query<{
    taken_at: Date;
    relation_id: string;
    total_bytes: string;
    n_dead_tup: string | null;
    frozen_xid_age: string | null;
  }>(
    // One index probe per time, each pruned to its day at run time: `taken_at = any(600 times)` made the planner
    // match every time against every day's partition (83 ms of planning for 30 days).
    `select x.taken_at, x.relation_id, x.total_bytes, x.n_dead_tup, x.frozen_xid_age
       from unnest($2::timestamptz[]) at (taken_at)
       cross join lateral (select t.taken_at, t.relation_id, t.total_bytes, t.n_dead_tup, t.frozen_xid_age
                             from dbopt_store.table_sample t
                            where t.target_id = $1 and t.taken_at = at.taken_at
                              and t.relation_id = any($3::bigint[])
                           -- kept a subquery (not flattened into a join over whole partitions)
                           offset 0) x`,
    [targetId, times, tableIds],
  );
  const indexRows = await store.query<{ taken_at: Date; relation_id: string; size_bytes: string }>(
    `select x.taken_at, x.relation_id, x.size_bytes
       from unnest($2::timestamptz[]) at (taken_at)
       cross join lateral (select i.taken_at, i.relation_id, i.size_bytes from dbopt_store.index_sample i
                            where i.target_id = $1 and i.taken_at = at.taken_at
                              and i.relation_id = any($3::bigint[])
                           offset 0) x`,
    [targetId, times, indexes.map((r) => Number(r.id))],
  );
  const position = new Map(times.map((t, i) => [t.getTime(), i]));
  const series = <R extends { taken_at: Date; relation_id: string }>(
    chosen: Array<{ id: string; name: string }>,
    rows: R[],
    value: (r: R) => string | null,
  ): RelationSeries[] =>
    chosen.map((c) => {
      const values: Array<number | null> = times.map(() => null);
      for (const r of rows) {
        if (Number(r.relation_id) !== Number(c.id)) continue;
        const i = position.get(r.taken_at.getTime());
        const v = value(r);
        if (i !== undefined && v !== null) values[i] = Number(v);
      }
      const known = values.filter((v): v is number => v !== null);
      return { id: Number(c.id), name: c.name, values, first: known[0] ?? null, last: known.at(-1) ?? null };
    });
  return {
    ...empty,
    tableBytes: series(largest, tableRows, (r) => r.total_bytes),
    indexBytes: series(indexes, indexRows, (r) => r.size_bytes),
    deadRows: series(deadest, tableRows, (r) => r.n_dead_tup),
    xidAge: series(oldest, tableRows, (r) => r.frozen_xid_age),
  };
}

export interface SettingChange {
  at: Date;
  name: string;
  setting: string;
  unit: string | null;
  source: string;
  pendingRestart: boolean;
  /** The value before, or null for the first value the store saw. */
  previous: string | null;
}

/** Every setting value the store saw for the target, newest first, with the value each replaced. */
export async function readSettingChanges(store: StoreConnection, targetId: number): Promise<SettingChange[]> {
  const rows = await store.query<{
    changed_at: Date;
    name: string;
    setting: string;
    unit: string | null;
    source: string;
    pending_restart: boolean;
    previous: string | null;
  }>(
    `select changed_at, name, setting, unit, source, pending_restart,
            lag(setting) over (partition by name order by changed_at) as previous
       from dbopt_store.setting_change where target_id = $1
      order by changed_at desc, name`,
    [targetId],
  );
  return rows.map((r) => ({
    at: r.changed_at,
    name: r.name,
    setting: r.setting,
    unit: r.unit,
    source: r.source,
    pendingRestart: r.pending_restart,
    previous: r.previous,
  }));
}
