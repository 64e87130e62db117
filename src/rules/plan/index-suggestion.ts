/** Build the index a set of predicates asks for: equality columns first, then one range or sort column. */

import type { IndexFacts } from "../../facts/snapshot.js";
import type { ColumnPredicate } from "../../facts/sql/predicates.js";
import { qualifiedName, quoteIdent } from "../../util/sql-identifiers.js";

export interface IndexSuggestion {
  columns: string[];
  ddl: string;
  /** An existing valid index that already starts with these columns, if any. */
  coveredBy: IndexFacts | null;
}

const ORDER: Record<string, number> = { eq: 0, null: 0, in: 1, range: 2, like: 3 };

/**
 * Columns for an index serving these predicates, or [] when none can use a B-tree. With `orderBy` (a top-N's
 * ORDER BY columns) the index is equality columns then the order, so it returns the first rows in order.
 */
export function indexColumns(predicates: ColumnPredicate[], orderBy: string[] = []): string[] {
  if (orderBy.length) {
    const equality = predicates
      .filter((p) => !p.underOr && (p.kind === "eq" || p.kind === "null"))
      .map((p) => (p.isExpression ? `(${p.column})` : quoteIdent(p.column)));
    // One direction for all keys: a backward scan serves DESC. Mixed directions must be spelled out.
    const mixed = new Set(orderBy.map((c) => c.endsWith(" DESC"))).size > 1;
    const order = orderBy
      .map((c) => (mixed ? c : c.replace(/ DESC$/, "")))
      .filter((c) => !equality.includes(c));
    return [...new Set([...equality, ...order])];
  }
  const usable = predicates
    .filter((p) => !p.underOr && p.kind in ORDER)
    .sort((a, b) => (ORDER[a.kind] ?? 9) - (ORDER[b.kind] ?? 9));
  const columns: string[] = [];
  let rangeTaken = false;
  for (const p of usable) {
    const column = p.isExpression ? `(${p.column})` : quoteIdent(p.column);
    if (columns.includes(column)) continue;
    // After the first range column a B-tree cannot use further columns for searching.
    if (rangeTaken) break;
    if (p.kind === "range" || p.kind === "like") rangeTaken = true;
    columns.push(column);
  }
  return columns;
}

export function suggestIndex(
  table: { schema: string | null; name: string },
  columns: string[],
  existing: IndexFacts[],
  extra: { include?: string[]; where?: string } = {},
): IndexSuggestion {
  const include = extra.include?.length ? ` INCLUDE (${extra.include.join(", ")})` : "";
  const where = extra.where ? ` WHERE ${extra.where}` : "";
  const ddl = `CREATE INDEX CONCURRENTLY ON ${qualifiedName(table.schema, table.name)} (${columns.join(", ")})${include}${where};`;
  const bare = columns.map((c) => c.replace(/^"(.*)"$/, "$1"));
  const coveredBy =
    existing.find(
      (i) =>
        i.isValid &&
        i.method === "btree" &&
        i.predicate === null &&
        bare.every(
          (c, k) => (i.columns[k] ?? "").replace(/^\((.*)\)$/, "$1") === c.replace(/^\((.*)\)$/, "$1"),
        ),
    ) ?? null;
  return { columns, ddl, coveredBy };
}
