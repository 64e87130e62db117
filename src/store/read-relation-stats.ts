import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { userSchemaFilter } from "../facts/collect/user-schemas.js";

type Row = Record<string, unknown>;

/** A table's size and activity counters as one sample keeps them. */
export interface TableSample {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  sizeBytes: number;
  totalBytes: number;
  rowsEstimate: number;
  frozenXidAge: number | null;
  /** pg_stat_user_tables and pg_statio_user_tables, by column name; null for a table without statistics. */
  stats: Row | null;
}

export interface IndexSample {
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

const KINDS: Record<string, string> = { r: "table", p: "partitioned", m: "matview", f: "foreign" };

/** Columns of pg_stat_user_tables (13+) and pg_statio_user_tables the store keeps. */
export const TABLE_COUNTERS = [
  "seq_scan",
  "seq_tup_read",
  "idx_scan",
  "idx_tup_fetch",
  "n_tup_ins",
  "n_tup_upd",
  "n_tup_del",
  "n_tup_hot_upd",
  "n_live_tup",
  "n_dead_tup",
  "n_mod_since_analyze",
  "last_vacuum",
  "last_autovacuum",
  "last_analyze",
  "last_autoanalyze",
  "vacuum_count",
  "autovacuum_count",
  "analyze_count",
  "autoanalyze_count",
  "heap_blks_read",
  "heap_blks_hit",
] as const;

/**
 * Tables with sizes and counters, and nothing else. The snapshot's collectTables also reads columns and pg_stats
 * (row widths), which cost 1–2 s at 2,000 tables: more than a sample's whole budget, for figures a sample does
 * not keep. Relations in `locked` (held ACCESS EXCLUSIVE by another session) are left out, not waited for.
 */
export async function readTableSamples(db: PostgresConnector, locked: number[]): Promise<TableSample[]> {
  const rows = await db.query<Row>(
    `select c.oid::int8 as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
            pg_relation_size(c.oid) as size, pg_total_relation_size(c.oid) as total, c.reltuples::float8 as reltuples,
            case when c.relkind in ('r', 'm') then age(c.relfrozenxid) end as frozen_age, s.relid is not null as has_stats,
            ${TABLE_COUNTERS.map((col) => (col.startsWith("heap_") ? `io.${col}` : `s.${col}`)).join(", ")}
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_stat_user_tables s on s.relid = c.oid
       left join pg_statio_user_tables io on io.relid = c.oid
      where c.relkind in ('r', 'p', 'm', 'f') and ${userSchemaFilter("n")} and c.oid <> all($1::oid[])`,
    [locked],
  );
  return rows.map((r) => {
    const reltuples = Number(r.reltuples);
    return {
      oid: Number(r.oid),
      schema: String(r.schema),
      name: String(r.name),
      kind: KINDS[String(r.relkind)] ?? "table",
      sizeBytes: Number(r.size),
      totalBytes: Number(r.total),
      // reltuples is -1 (14+) or 0 before the first VACUUM or ANALYZE: the live-row counter then.
      rowsEstimate: reltuples > 0 ? reltuples : Number(r.n_live_tup ?? 0),
      frozenXidAge: r.frozen_age === null ? null : Number(r.frozen_age),
      stats: r.has_stats ? Object.fromEntries(TABLE_COUNTERS.map((col) => [col, r[col] ?? null])) : null,
    };
  });
}

/** Indexes on user tables with their definition, size, validity and scan counters. */
export async function readIndexSamples(db: PostgresConnector, locked: number[]): Promise<IndexSample[]> {
  const rows = await db.query<Row>(
    `select i.indexrelid::int8 as oid, n.nspname as schema, ic.relname as name, tn.nspname as table_schema,
            tc.relname as table_name, pg_get_indexdef(i.indexrelid) as definition, i.indisvalid,
            case when ic.relkind = 'I'
                 then (select coalesce(sum(pg_relation_size(pt.relid)), 0) from pg_partition_tree(i.indexrelid) pt)
                 else pg_relation_size(i.indexrelid) end as size,
            s.idx_scan, s.idx_tup_read, s.idx_tup_fetch
       from pg_index i
       join pg_class ic on ic.oid = i.indexrelid
       join pg_namespace n on n.oid = ic.relnamespace
       join pg_class tc on tc.oid = i.indrelid
       join pg_namespace tn on tn.oid = tc.relnamespace
       left join pg_stat_user_indexes s on s.indexrelid = i.indexrelid
      where ${userSchemaFilter("tn")} and i.indrelid <> all($1::oid[])`,
    [locked],
  );
  const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    oid: Number(r.oid),
    schema: String(r.schema),
    name: String(r.name),
    tableSchema: String(r.table_schema),
    table: String(r.table_name),
    definition: String(r.definition),
    sizeBytes: Number(r.size),
    isValid: Boolean(r.indisvalid),
    idxScan: numOrNull(r.idx_scan),
    idxTupRead: numOrNull(r.idx_tup_read),
    idxTupFetch: numOrNull(r.idx_tup_fetch),
  }));
}
