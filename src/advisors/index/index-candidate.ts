/** An index the advisor may recommend, and the DDL that creates it. */
import { checkSql, ident, list, qname, type SqlText, sql } from "../../util/sql-text.js";

export type IndexMethod = "btree" | "hash" | "brin" | "gin";

export interface IndexCandidate {
  /** Canonical form: two candidates with the same key are the same index. */
  key: string;
  schema: string;
  table: string;
  method: IndexMethod;
  /** Key items as SQL: `status`, `(lower(email))`, `created_at DESC`, `payload jsonb_path_ops`. */
  columns: SqlText[];
  include: SqlText[];
  where: SqlText | null;
  /** Why it was proposed, in a few words: "equality on tenant_id, status; ORDER BY created_at DESC". */
  reason: string;
  /** Ids of the workload statements it was built from. */
  queries: Set<string>;
  /** HypoPG can simulate it (it cannot simulate GIN or GiST). */
  hypothetical: boolean;
  /** The extension its operator class comes from (pg_trgm for gin_trgm_ops), which must be installed first. */
  requires: string | null;
}

export function makeCandidate(
  table: { schema: string; name: string },
  method: IndexMethod,
  columns: SqlText[],
  extra: { include?: SqlText[]; where?: SqlText | null; reason: string; query: string; requires?: string },
): IndexCandidate {
  // INCLUDE order means nothing to PostgreSQL: sorted, the same covering index has one key.
  const include = [...(extra.include ?? [])].sort();
  const where = extra.where ?? null;
  return {
    key: `${table.schema}.${table.name}|${method}|${columns.join(",")}|${include.join(",")}|${where ?? ""}`,
    schema: table.schema,
    table: table.name,
    method,
    columns,
    include,
    where,
    reason: extra.reason,
    queries: new Set([extra.query]),
    hypothetical: method !== "gin",
    requires: extra.requires ?? null,
  };
}

/**
 * CREATE INDEX [CONCURRENTLY] [name] ON table USING method (columns) [INCLUDE (...)] [WHERE ...]; without a
 * name PostgreSQL picks one that does not collide (what-if sessions name theirs to find them again). Parsed back as one statement before anyone sees or runs it.
 */
export function candidateDdl(c: IndexCandidate, concurrently = true, name?: string): SqlText {
  const using = c.method === "btree" ? sql`` : sql` USING ${ident(c.method)}`;
  const include = c.include.length ? sql` INCLUDE (${list(c.include)})` : sql``;
  const where = c.where ? sql` WHERE ${c.where}` : sql``;
  const create = sql`CREATE INDEX${concurrently ? sql` CONCURRENTLY` : sql``}${name ? sql` ${ident(name)}` : sql``}`;
  return checkSql(
    sql`${create} ON ${qname(c.schema, c.table)}${using} (${list(c.columns)})${include}${where};`,
    1,
  );
}
