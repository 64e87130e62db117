/**
 * The functions a read of some relations runs without naming them: those in the views it reads (and the views
 * those read, to any depth) and in the row-level security policies of the tables. A replay that is only checked for
 * the functions written in its text would run `select * from v`, where v calls pg_terminate_backend(). Read from
 * pg_get_viewdef and pg_policy's expressions through the same tree walk as the statements (statementTraits):
 * pg_depend cannot serve, since PostgreSQL records no dependency on pg_catalog's pinned functions.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { statementTraits } from "./statement-traits.js";

export interface HiddenCall {
  /** The function as statementTraits writes it: "name" or "schema.name". */
  fn: string;
  /** The view or table whose definition or policy calls it, schema-qualified. */
  via: string;
}

/** Views nested deeper than this are not followed (PostgreSQL has no limit; real schemas stay far below it). */
const MAX_DEPTH = 16;

/** For each relation name as statementTraits wrote it, the functions its views and policies call. */
export async function hiddenCalls(
  db: PostgresConnector,
  relations: string[],
): Promise<Map<string, HiddenCall[]>> {
  const out = new Map<string, HiddenCall[]>();
  for (const start of new Set(relations)) {
    const calls: HiddenCall[] = [];
    const seen = new Set<string>();
    let frontier = [start];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: string[] = [];
      for (const r of await definitions(db, frontier)) {
        if (seen.has(r.qualified)) continue;
        seen.add(r.qualified);
        for (const text of r.texts) {
          const traits = statementTraits(text);
          for (const fn of traits.functions) calls.push({ fn, via: r.qualified });
          next.push(...traits.tables);
        }
      }
      frontier = next;
    }
    out.set(start, calls);
  }
  return out;
}

interface Definition {
  qualified: string;
  /** Statements to read: the view's query, and `select <policy expression>` for each policy. */
  texts: string[];
}

/** The definitions of the named relations, resolved as a statement would: schema-qualified, else on the search_path. */
async function definitions(db: PostgresConnector, names: string[]): Promise<Definition[]> {
  const rows = await db.query<{ qualified: string; view: string | null; quals: string[] | null }>(
    `select distinct c.oid, format('%I.%I', n.nspname, c.relname) as qualified,
            case when c.relkind = 'v' then pg_get_viewdef(c.oid) end as view,
            (select array_agg('select ' || e) from pg_policy p,
                    lateral (values (pg_get_expr(p.polqual, p.polrelid)), (pg_get_expr(p.polwithcheck, p.polrelid))) q(e)
              where c.relrowsecurity and p.polrelid = c.oid and e is not null) as quals
       from unnest($1::text[]) as w(written)
       join pg_class c
         on c.relname = case when strpos(w.written, '.') > 0 then substr(w.written, strpos(w.written, '.') + 1) else w.written end
       join pg_namespace n on n.oid = c.relnamespace
      where (strpos(w.written, '.') > 0 and n.nspname = split_part(w.written, '.', 1))
         or (strpos(w.written, '.') = 0 and n.nspname = any (current_schemas(true)))`,
    [names],
  );
  return rows.map((r) => ({
    qualified: r.qualified,
    texts: [...(r.view ? [r.view] : []), ...(r.quals ?? [])],
  }));
}
