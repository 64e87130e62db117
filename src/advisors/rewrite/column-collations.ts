/**
 * Which columns compare under a nondeterministic collation (CREATE COLLATION … deterministic = false, PostgreSQL
 * 12+): there two different strings can be equal ('a' = 'A' case-insensitively), so a rule that decides from the
 * constants' text whether `c = v` holds, or that relies on DISTINCT returning the one spelling stored, must not.
 * The snapshot does not keep column collations; `dbopt rewrite` reads them here, once, from the catalog.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { RewriteTable } from "../../rules/rewrite/rewrite-rule.js";

/** The tables with each column's nondeterministic collation filled in (by schema, table and column name). */
export async function withCollations(
  db: PostgresConnector,
  tables: RewriteTable[],
  serverVersion: number,
): Promise<RewriteTable[]> {
  // Before 12 every collation is deterministic (pg_collation has no collisdeterministic).
  if (serverVersion < 120000 || tables.length === 0) return tables;
  const rows = await db.query<{ schema: string; table: string; column: string; collation: string }>(
    `select n.nspname as schema, c.relname as table, a.attname as column, co.collname as collation
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_collation co on co.oid = a.attcollation
      where not co.collisdeterministic and a.attnum > 0 and not a.attisdropped
        and c.relkind in ('r', 'p', 'm', 'f', 'v')`,
  );
  if (rows.length === 0) return tables;
  const found = new Map(rows.map((r) => [JSON.stringify([r.schema, r.table, r.column]), r.collation]));
  return tables.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      const collation = found.get(JSON.stringify([t.schema, t.name, c.name]));
      return collation === undefined ? c : { ...c, nondeterministicCollation: collation };
    }),
  }));
}
