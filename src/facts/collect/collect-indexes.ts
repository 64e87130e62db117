import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { IndexFacts } from "../snapshot.js";
import { num, numOrNull, userSchemaFilter } from "./user-schemas.js";

type Row = Record<string, unknown>;

/** Every index on a user table with its definition, columns, validity, size and scan counters. */
export async function collectIndexes(db: PostgresConnector, locked: number[] = []): Promise<IndexFacts[]> {
  const rows = await db.query<Row>(
    `
    select i.indexrelid::int8 as oid, n.nspname as schema, ic.relname as name, tn.nspname as table_schema,
           tc.relname as table_name, pg_get_indexdef(i.indexrelid) as definition, am.amname as method,
           i.indnkeyatts as key_columns, i.indisunique, i.indisprimary, i.indisvalid, i.indisready,
           pg_get_expr(i.indpred, i.indrelid) as predicate, con.conname as constraint_name,
           -- A partitioned index holds nothing itself: its size is its partitions' indexes'.
           case when ic.relkind = 'I'
                then (select coalesce(sum(pg_relation_size(pt.relid)), 0) from pg_partition_tree(i.indexrelid) pt)
                else pg_relation_size(i.indexrelid) end as size, ic.relpages::int8 as pages, ic.reltuples::float8 as reltuples,
           (select case when count(ps.avg_width) = i.indnkeyatts then sum(ps.avg_width) end
              from generate_series(1, i.indnkeyatts) k
              join pg_attribute ia on ia.attrelid = i.indexrelid and ia.attnum = k
              left join pg_attribute ta on ta.attrelid = i.indrelid and ta.attnum = i.indkey[k - 1]
              left join pg_stats ps on ps.schemaname = tn.nspname
                   and ((i.indkey[k - 1] <> 0 and ps.tablename = tc.relname and ps.attname = ta.attname)
                     or (i.indkey[k - 1] = 0 and ps.tablename = ic.relname and ps.attname = ia.attname))) as key_width,
           array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnatts) k) as columns,
           s.indexrelid is not null as has_stats, s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,
           (select pin.nspname || '.' || pic.relname from pg_inherits ih join pg_class pic on pic.oid = ih.inhparent
              join pg_namespace pin on pin.oid = pic.relnamespace where ih.inhrelid = i.indexrelid limit 1) as parent_index,
           -- pg_get_indexdef starts "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ": what follows is the
           -- index itself, which the same statement can build on another table of a partition tree.
           (select case when left(d.def, length(d.prefix)) = d.prefix then substr(d.def, length(d.prefix) + 1) end
              from (select pg_get_indexdef(i.indexrelid) as def,
                           'CREATE ' || case when i.indisunique then 'UNIQUE ' else '' end || 'INDEX '
                           || quote_ident(ic.relname) || ' ON ' || case when tc.relkind = 'p' then 'ONLY ' else '' end
                           || quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || ' USING ' as prefix) d) as using_clause
      from pg_index i
      join pg_class ic on ic.oid = i.indexrelid
      join pg_namespace n on n.oid = ic.relnamespace
      join pg_class tc on tc.oid = i.indrelid
      join pg_namespace tn on tn.oid = tc.relnamespace
      join pg_am am on am.oid = ic.relam
      left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
      left join pg_stat_user_indexes s on s.indexrelid = i.indexrelid
     where ${userSchemaFilter("tn")} and i.indrelid <> all($1::oid[])
     order by tn.nspname, tc.relname, ic.relname`,
    [locked],
  );
  return rows.map((r) => ({
    oid: num(r.oid),
    schema: String(r.schema),
    name: String(r.name),
    tableSchema: String(r.table_schema),
    table: String(r.table_name),
    definition: String(r.definition),
    method: String(r.method),
    columns: (r.columns as string[]) ?? [],
    keyColumnCount: num(r.key_columns),
    isUnique: Boolean(r.indisunique),
    isPrimary: Boolean(r.indisprimary),
    isValid: Boolean(r.indisvalid),
    isReady: Boolean(r.indisready),
    predicate: (r.predicate as string | null) ?? null,
    constraint: (r.constraint_name as string | null) ?? null,
    sizeBytes: num(r.size),
    pages: num(r.pages),
    rowsEstimate: Math.max(0, num(r.reltuples)),
    keyWidth: numOrNull(r.key_width),
    stats: r.has_stats
      ? { idxScan: num(r.idx_scan), idxTupRead: num(r.idx_tup_read), idxTupFetch: num(r.idx_tup_fetch) }
      : null,
    parentIndex: (r.parent_index as string | null) ?? null,
    usingClause: (r.using_clause as string | null) ?? null,
  }));
}
