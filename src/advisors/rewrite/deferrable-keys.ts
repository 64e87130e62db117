/**
 * A DEFERRABLE primary key or unique constraint is checked at commit when deferred: inside the application's
 * transaction two rows may hold the same key for a while, and the statement runs there. PostgreSQL's planner does
 * not rely on such a key for uniqueness either; the rewrite rules must not. The snapshot does not say which
 * constraints are deferrable: read from pg_constraint.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { RewriteTable } from "../../rules/rewrite/rewrite-rule.js";

/** The tables without the unique keys some deferrable constraint enforces (by their columns, in any order). */
export async function withoutDeferrableKeys(
  db: PostgresConnector,
  tables: RewriteTable[],
): Promise<RewriteTable[]> {
  const rows = await db.query<{ schema: string; table: string; columns: string[] }>(
    `select n.nspname as schema, c.relname as table,
            array(select a.attname::text
                    from unnest(con.conkey) as k(attnum)
                    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as columns
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid
       join pg_namespace n on n.oid = c.relnamespace
      where con.contype in ('p', 'u') and con.condeferrable`,
  );
  if (rows.length === 0) return tables;
  const keyOf = (schema: string, table: string, columns: string[]) =>
    JSON.stringify([schema, table, [...columns].sort()]);
  const deferrable = new Set(rows.map((r) => keyOf(r.schema, r.table, r.columns)));
  return tables.map((t) => ({
    ...t,
    uniqueKeys: t.uniqueKeys.filter((key) => !deferrable.has(keyOf(t.schema, t.name, key))),
  }));
}
