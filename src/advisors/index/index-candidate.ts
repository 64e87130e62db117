/** An index the advisor may recommend, and the DDL that creates it. */
import { qualifiedName, quoteIdent } from "../../util/sql-identifiers.js";

export type IndexMethod = "btree" | "hash" | "brin" | "gin";

export interface IndexCandidate {
  /** Canonical form: two candidates with the same key are the same index. */
  key: string;
  schema: string;
  table: string;
  method: IndexMethod;
  /** Key items as SQL: `status`, `(lower(email))`, `created_at DESC`, `payload jsonb_path_ops`. */
  columns: string[];
  include: string[];
  where: string | null;
  /** Why it was proposed, in a few words: "equality on tenant_id, status; ORDER BY created_at DESC". */
  reason: string;
  /** Ids of the workload statements it was built from. */
  queries: Set<string>;
  /** HypoPG can simulate it (it cannot simulate GIN or GiST). */
  hypothetical: boolean;
}

export function makeCandidate(
  table: { schema: string; name: string },
  method: IndexMethod,
  columns: string[],
  extra: { include?: string[]; where?: string | null; reason: string; query: string },
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
  };
}

/** CREATE INDEX [CONCURRENTLY] ON table USING method (columns) [INCLUDE (...)] [WHERE ...]; with no name, so
 * PostgreSQL picks one that does not collide. */
export function candidateDdl(c: IndexCandidate, concurrently = true): string {
  const using = c.method === "btree" ? "" : ` USING ${c.method}`;
  const include = c.include.length ? ` INCLUDE (${c.include.join(", ")})` : "";
  const where = c.where ? ` WHERE ${c.where}` : "";
  return `CREATE INDEX${concurrently ? " CONCURRENTLY" : ""} ON ${qualifiedName(c.schema, c.table)}${using} (${c.columns.join(", ")})${include}${where};`;
}

/** A column name or expression as an index key item. */
export function keyItem(column: string, isExpression: boolean, desc = false): string {
  return `${isExpression ? `(${column})` : quoteIdent(column)}${desc ? " DESC" : ""}`;
}
