/**
 * Which table an unqualified name in the statements means, as the server resolves it on this session's
 * search_path: `orders` is app.orders when app comes first, a view or a temporary table may hide a table, and a
 * rule that read public.orders' keys for it would reason about another table.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { RewriteSchema } from "../../rules/rewrite/rewrite-rule.js";
import { walk } from "../../rules/rewrite/rewrite-tree-shape.js";

/** The unqualified relation names the trees read. */
function unqualifiedNames(trees: unknown[]): string[] {
  const names = new Set<string>();
  for (const tree of trees)
    walk(tree, (node) => {
      const rv = node.RangeVar as { relname?: unknown; schemaname?: unknown } | undefined;
      if (rv && typeof rv.relname === "string" && rv.schemaname === undefined) names.add(rv.relname);
      return true;
    });
  return [...names];
}

/**
 * The schema with each unqualified name the trees read looked up where the server finds it: the table of that
 * schema, or none when the name means a view, a temporary table or nothing (a CTE's name, resolved by the
 * statement itself, is statementSchema's business).
 */
export async function onSearchPath(
  db: PostgresConnector,
  schema: RewriteSchema,
  trees: unknown[],
): Promise<RewriteSchema> {
  const names = unqualifiedNames(trees);
  if (names.length === 0) return schema;
  const rows = await db.query<{ name: string; schema: string | null }>(
    `select w.name, n.nspname as schema
       from unnest($1::text[]) as w(name)
       left join pg_class c on c.oid = to_regclass(quote_ident(w.name))
       left join pg_namespace n on n.oid = c.relnamespace and n.nspname not like 'pg\\_temp\\_%'`,
    [names],
  );
  const found = new Map(rows.map((r) => [r.name, r.schema]));
  return {
    ...schema,
    table(name, schemaName) {
      if (schemaName !== undefined || !found.has(name)) return schema.table(name, schemaName);
      const where = found.get(name);
      return where ? schema.table(name, where) : undefined;
    },
  };
}
