/**
 * The recursive CTE of the PostgreSQL wiki's "Loose indexscan": the distinct values of a NOT NULL column read from
 * a B-tree one probe per value (the first value, then the first above it, until none is left). Shared by the
 * DISTINCT and the GROUP BY min/max rewrites. Names go through the SQL builder.
 */
import { ident, type SqlText, sql } from "../../util/sql-text.js";
import type { RewriteTable } from "./rewrite-rule.js";
import { freshName } from "./rewrite-tree-shape.js";

export interface LooseScan {
  /** `WITH RECURSIVE loose AS (…)`, whose one column `value` holds the distinct values, and a trailing NULL. */
  withClause: SqlText;
  /** The CTE's name, quoted. */
  name: SqlText;
}

export function looseScan(
  schema: string | undefined,
  table: string,
  column: string,
  avoid: string[],
): LooseScan {
  const cte = ident(freshName([table, column, ...avoid], "loose"));
  const rel = relation(schema, table);
  const col = ident(column);
  return {
    name: cte,
    withClause: sql`WITH RECURSIVE ${cte} AS ((SELECT ${col} AS value FROM ${rel} ORDER BY ${col} LIMIT 1) UNION ALL SELECT (SELECT ${col} FROM ${rel} WHERE ${col} > ${cte}.value ORDER BY ${col} LIMIT 1) FROM ${cte} WHERE ${cte}.value IS NOT NULL)`,
  };
}

/** The table as the statement wrote it: with its schema only when the statement named one (even "public"). */
export function relation(schema: string | undefined, table: string): SqlText {
  return schema ? sql`${ident(schema)}.${ident(table)}` : ident(table);
}

/**
 * Whether one of the columns has a nondeterministic collation: 'a' and 'A' are then one group, and DISTINCT or
 * GROUP BY returns whichever spelling it meets first while the recursion returns the first in index order.
 */
export function groupsUnderNondeterministicCollation(table: RewriteTable, columns: string[]): boolean {
  return table.columns.some((c) => columns.includes(c.name) && c.nondeterministicCollation !== undefined);
}
