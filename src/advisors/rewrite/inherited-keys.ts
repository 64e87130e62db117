/**
 * A primary key or unique constraint holds within one table only: under table inheritance (CREATE TABLE … INHERITS,
 * not declarative partitioning, whose keys hold across the partitions) a parent's key says nothing of its
 * children's rows, and a plain reference to the parent reads them too. So two rows of `parent` can have the same
 * key, and the rules must not think the key makes them unique. The snapshot knows partitions only; the catalog
 * says which tables have other children.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { RewriteTable } from "../../rules/rewrite/rewrite-rule.js";

/** The tables with the unique keys of every inheritance parent removed. */
export async function withoutKeysOverChildren(
  db: PostgresConnector,
  tables: RewriteTable[],
): Promise<RewriteTable[]> {
  const rows = await db.query<{ schema: string; table: string }>(
    `select distinct pn.nspname as schema, pc.relname as table
       from pg_inherits i
       join pg_class c on c.oid = i.inhrelid
       join pg_class pc on pc.oid = i.inhparent
       join pg_namespace pn on pn.oid = pc.relnamespace
      where not c.relispartition`,
  );
  if (rows.length === 0) return tables;
  const parents = new Set(rows.map((r) => JSON.stringify([r.schema, r.table])));
  return tables.map((t) => (parents.has(JSON.stringify([t.schema, t.name])) ? { ...t, uniqueKeys: [] } : t));
}
