/**
 * Whether the functions statements call can write: PostgreSQL refuses data changes inside STABLE and IMMUTABLE
 * functions, so only a VOLATILE function outside pg_catalog can make a SELECT write. Names are resolved the way
 * the statements would resolve them: schema-qualified as written, else along the search_path.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";

export interface FunctionVolatility {
  /** "name" or "schema.name" as statementTraits wrote it → true when some function of that name may write. */
  mayWrite: Map<string, boolean>;
  /** → true when some function of that name is VOLATILE (pg_catalog's too: random(), clock_timestamp()). */
  volatile: Map<string, boolean>;
}

export async function functionVolatility(
  db: PostgresConnector,
  names: string[],
): Promise<FunctionVolatility> {
  const mayWrite = new Map<string, boolean>();
  const volatile = new Map<string, boolean>();
  if (names.length === 0) return { mayWrite, volatile };
  const rows = await db.query<{ written: string; may_write: boolean; volatile: boolean }>(
    `select w.written,
            coalesce(bool_or(p.provolatile = 'v' and n.nspname <> 'pg_catalog'), false) as may_write,
            coalesce(bool_or(p.provolatile = 'v'), false) as volatile
       from unnest($1::text[]) as w(written)
       left join pg_proc p
         on p.proname = split_part(w.written, '.', case when strpos(w.written, '.') > 0 then 2 else 1 end)
       left join pg_namespace n on n.oid = p.pronamespace
      where p.oid is null
         or (strpos(w.written, '.') > 0 and n.nspname = split_part(w.written, '.', 1))
         or (strpos(w.written, '.') = 0 and n.nspname = any (current_schemas(true)))
      group by w.written`,
    [names],
  );
  for (const r of rows) {
    mayWrite.set(r.written, Boolean(r.may_write));
    volatile.set(r.written, Boolean(r.volatile));
  }
  return { mayWrite, volatile };
}
