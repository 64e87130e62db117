/**
 * What pg_proc says of the functions the statements call, for the rewrite rules (`RewriteSchema.call`): whether a
 * function returns a set (in a select list it repeats rows), is volatile, or aggregates. Read from the catalog, not
 * from a list of names: a user's own function named like nothing dbopt knows is VOLATILE by default, and may return
 * SETOF. Every overload of each name is read, with whether its schema is on this session's search_path, the one the
 * proof's statements run under.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { RewriteFunction } from "../../rules/rewrite/rewrite-rule.js";

export async function calledFunctions(db: PostgresConnector, names: string[]): Promise<RewriteFunction[]> {
  if (names.length === 0) return [];
  const rows = await db.query<{
    schema: string;
    name: string;
    on_path: boolean;
    nargs: number;
    ndefaults: number;
    variadic: boolean;
    retset: boolean;
    volatile: boolean;
    aggregate: boolean;
  }>(
    `select n.nspname as schema, p.proname as name, n.nspname = any (current_schemas(true)) as on_path,
            p.pronargs as nargs, p.pronargdefaults as ndefaults, p.provariadic <> 0 as variadic,
            p.proretset as retset, p.provolatile = 'v' as volatile, p.prokind in ('a', 'w') as aggregate
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
      where p.proname = any ($1::text[])`,
    [names],
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    onSearchPath: r.on_path,
    // A VARIADIC parameter takes any number of arguments, none included when it has a default.
    minArgs: Math.max(0, Number(r.nargs) - Number(r.ndefaults) - (r.variadic ? 1 : 0)),
    maxArgs: r.variadic ? Number.POSITIVE_INFINITY : Number(r.nargs),
    returnsSet: r.retset,
    volatile: r.volatile,
    aggregate: r.aggregate,
  }));
}
