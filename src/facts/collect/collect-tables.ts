import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { Column, TableFacts } from "../snapshot.js";
import { isoOrNull, num, numOrNull, userSchemaFilter } from "./user-schemas.js";

const KINDS: Record<string, TableFacts["kind"]> = {
  r: "table",
  p: "partitioned",
  m: "matview",
  f: "foreign",
};
const PERSISTENCE: Record<string, TableFacts["persistence"]> = {
  p: "permanent",
  u: "unlogged",
  t: "temporary",
};

type Row = Record<string, unknown>;

/** Tables, partitioned tables, materialized views and foreign tables, with columns and activity statistics. */
export async function collectTables(db: PostgresConnector, locked: number[] = []): Promise<TableFacts[]> {
  const rows = await db.query<Row>(
    `
    select c.oid::int8 as oid, n.nspname as schema, c.relname as name, c.relkind, c.relpersistence,
           c.reltuples::float8 as reltuples, c.relpages::int8 as relpages,
           pg_relation_size(c.oid) as size, pg_total_relation_size(c.oid) as total,
           coalesce(c.reloptions, '{}') as options,
           case when c.relkind in ('r', 'm') then age(c.relfrozenxid) end as frozen_age,
           case when c.relkind in ('r', 'm') then mxid_age(c.relminmxid) end as mxid_age,
           (select pn.nspname || '.' || pc.relname from pg_inherits i
              join pg_class pc on pc.oid = i.inhparent join pg_namespace pn on pn.oid = pc.relnamespace
             where i.inhrelid = c.oid and c.relispartition limit 1) as parent,
           -- the whole row as JSON: its columns differ between versions (n_ins_since_vacuum 13+, n_tup_newpage_upd 16+)
           to_jsonb(s) as st, io.heap_blks_read, io.heap_blks_hit,
           w.width as stats_width, w.columns as stats_columns, coalesce(w.any_nulls, false) as any_nulls,
           case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as partition_bound,
           case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
           case when not exists (select from pg_partitioned_table pt where pt.partrelid = c.oid and 0 = any(pt.partattrs::int2[]))
           then array(select a.attname::text from pg_partitioned_table pt, unnest(pt.partattrs::int2[]) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                  where pt.partrelid = c.oid order by k.ord) end as partition_key_columns
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
      left join pg_statio_user_tables io on io.relid = c.oid
      left join lateral (
        select sum((1 - ps.null_frac) * ps.avg_width)::float8 as width, count(*)::int as columns, bool_or(ps.null_frac > 0) as any_nulls
          from pg_stats ps
         where ps.schemaname = n.nspname and ps.tablename = c.relname and ps.inherited = (c.relkind = 'p')) w on true
     where c.relkind in ('r', 'p', 'm', 'f') and ${userSchemaFilter("n")} and c.oid <> all($1::oid[])
     order by n.nspname, c.relname`,
    [locked],
  );
  const columns = await collectColumns(db, locked);
  return rows.map((r) => {
    const key = `${r.schema}.${r.name}`;
    const reltuples = num(r.reltuples);
    return {
      oid: num(r.oid),
      schema: String(r.schema),
      name: String(r.name),
      kind: KINDS[String(r.relkind)] ?? "table",
      parent: (r.parent as string | null) ?? null,
      persistence: PERSISTENCE[String(r.relpersistence)] ?? "permanent",
      // reltuples is -1 (14+) or 0 before the first VACUUM or ANALYZE: fall back to the live-row counter.
      rowsEstimate: reltuples > 0 ? reltuples : num((r.st as Row | null)?.n_live_tup),
      pages: num(r.relpages),
      sizeBytes: num(r.size),
      totalBytes: num(r.total),
      options: (r.options as string[]) ?? [],
      frozenXidAge: numOrNull(r.frozen_age),
      minMxidAge: numOrNull(r.mxid_age),
      columns: columns.get(key) ?? [],
      rowWidth:
        r.stats_width !== null && num(r.stats_columns) === (columns.get(key)?.length ?? -1)
          ? num(r.stats_width)
          : null,
      anyNulls: Boolean(r.any_nulls),
      stats: r.st ? tableStats(r.st as Row, r) : null,
      partitionBound: (r.partition_bound as string | null) ?? null,
      partitionKey: (r.partition_key as string | null) ?? null,
      partitionKeyColumns: (r.partition_key_columns as string[] | null) ?? null,
    };
  });
}

function tableStats(st: Row, r: Row): NonNullable<TableFacts["stats"]> {
  return {
    seqScan: num(st.seq_scan),
    seqTupRead: num(st.seq_tup_read),
    idxScan: numOrNull(st.idx_scan),
    idxTupFetch: numOrNull(st.idx_tup_fetch),
    nTupIns: num(st.n_tup_ins),
    nTupUpd: num(st.n_tup_upd),
    nTupDel: num(st.n_tup_del),
    nTupHotUpd: num(st.n_tup_hot_upd),
    nLiveTup: num(st.n_live_tup),
    nDeadTup: num(st.n_dead_tup),
    nModSinceAnalyze: num(st.n_mod_since_analyze),
    lastVacuum: isoOrNull(st.last_vacuum),
    lastAutovacuum: isoOrNull(st.last_autovacuum),
    lastAnalyze: isoOrNull(st.last_analyze),
    lastAutoanalyze: isoOrNull(st.last_autoanalyze),
    vacuumCount: num(st.vacuum_count),
    autovacuumCount: num(st.autovacuum_count),
    analyzeCount: num(st.analyze_count),
    autoanalyzeCount: num(st.autoanalyze_count),
    heapBlksRead: num(r.heap_blks_read),
    heapBlksHit: num(r.heap_blks_hit),
    nTupNewpageUpd: numOrNull(st.n_tup_newpage_upd),
    nInsSinceVacuum: numOrNull(st.n_ins_since_vacuum),
  };
}

async function collectColumns(db: PostgresConnector, locked: number[]): Promise<Map<string, Column[]>> {
  const rows = await db.query<Row>(
    `
    select n.nspname as schema, c.relname as name, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod) as type,
           a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default_expr, a.attidentity::text as identity,
           a.attgenerated::text as generated
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where c.relkind in ('r', 'p', 'm', 'f') and a.attnum > 0 and not a.attisdropped and ${userSchemaFilter("n")}
       and c.oid <> all($1::oid[])
     order by n.nspname, c.relname, a.attnum`,
    [locked],
  );
  const out = new Map<string, Column[]>();
  for (const r of rows) {
    const key = `${r.schema}.${r.name}`;
    const list = out.get(key) ?? [];
    list.push({
      name: String(r.attname),
      position: num(r.attnum),
      type: String(r.type),
      notNull: Boolean(r.attnotnull),
      default: (r.default_expr as string | null) ?? null,
      identity: String(r.identity ?? ""),
      generated: String(r.generated ?? ""),
    });
    out.set(key, list);
  }
  return out;
}
