/** Build the index a set of predicates asks for: equality columns first, then one range or sort column. */

import type { IndexFacts } from "../../facts/snapshot.js";
import type { ColumnPredicate } from "../../facts/sql/predicates.js";
import { ident, indexExpression, list, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";

export interface IndexSuggestion {
  columns: SqlText[];
  ddl: SqlText;
  /** An existing valid index that already starts with these columns, if any. */
  coveredBy: IndexFacts | null;
}

/** A key of an ORDER BY an index could return rows in: a column, or an index key item as the server printed it. */
export type OrderKey = { column: string; desc: boolean } | { serverItem: string };

const ORDER: Record<string, number> = { eq: 0, null: 0, in: 1, range: 2, like: 3 };

/** A predicate's column as an index key item: a quoted name, or `(expression)` without table qualifiers. */
export function predicateKey(p: Pick<ColumnPredicate, "column" | "isExpression">): SqlText | null {
  if (!p.isExpression) return ident(p.column);
  const expression = indexExpression(p.column);
  return expression ? sql`(${expression})` : null;
}

function orderItem(key: OrderKey, withDirection: boolean): SqlText {
  if ("serverItem" in key) return sqlFrom("server", key.serverItem);
  return withDirection && key.desc ? sql`${ident(key.column)} DESC` : ident(key.column);
}

/**
 * Columns for an index serving these predicates, or [] when none can use a B-tree. With `orderBy` (a top-N's
 * ORDER BY columns) the index is equality columns then the order, so it returns the first rows in order.
 */
export function indexColumns(predicates: ColumnPredicate[], orderBy: OrderKey[] = []): SqlText[] {
  if (orderBy.length) {
    const equality = predicates
      .filter((p) => !p.underOr && (p.kind === "eq" || p.kind === "null"))
      .map(predicateKey)
      .filter((k): k is SqlText => k !== null);
    // One direction for all keys: a backward scan serves DESC. Mixed directions must be spelled out.
    const mixed = new Set(orderBy.map((c) => "desc" in c && c.desc)).size > 1;
    const order = orderBy.map((c) => orderItem(c, mixed)).filter((c) => !equality.includes(c));
    return [...new Set([...equality, ...order])];
  }
  const usable = predicates
    .filter((p) => !p.underOr && p.kind in ORDER && !(p.kind === "like" && !prefixPattern(p)))
    .sort((a, b) => (ORDER[a.kind] ?? 9) - (ORDER[b.kind] ?? 9));
  const columns: SqlText[] = [];
  let rangeTaken = false;
  for (const p of usable) {
    const column = predicateKey(p);
    if (column === null || columns.includes(column)) continue;
    // After the first range column a B-tree cannot use further columns for searching.
    if (rangeTaken) break;
    if (p.kind === "range" || p.kind === "like") rangeTaken = true;
    columns.push(column);
  }
  return columns;
}

/** LIKE 'abc%': a B-tree seeks to the fixed prefix. Not ILIKE (several cases), NOT LIKE, or a leading wildcard. */
function prefixPattern(p: ColumnPredicate): boolean {
  const pattern = typeof p.constant === "string" ? p.constant : null;
  return p.operator === "~~" && pattern !== null && !pattern.startsWith("%") && !pattern.startsWith("_");
}

/**
 * A pattern match a B-tree cannot serve and pg_trgm's GIN can: LIKE/ILIKE without a fixed prefix, ~ and ~*.
 * Null when the filter has none.
 */
export function trigramPredicate(predicates: ColumnPredicate[]): ColumnPredicate | null {
  return (
    predicates.find(
      (p) =>
        !p.underOr &&
        (((p.operator === "~~" || p.operator === "~~*") && !prefixPattern(p)) ||
          p.operator === "~" ||
          p.operator === "~*"),
    ) ?? null
  );
}

/** The trigram GIN for such a pattern, with pg_trgm installed first (CREATE EXTENSION IF NOT EXISTS). */
export function trigramIndex(table: { sql: SqlText }, p: ColumnPredicate): SqlText | null {
  const key = predicateKey(p);
  return key
    ? sql`CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON ${table.sql} USING gin (${key} gin_trgm_ops);`
    : null;
}

/** "ILIKE '%smith%'", "a regular expression": the pattern as the user wrote it. */
export function patternWords(p: { operator: string; constant: string | number | null }): string {
  const op = { "~~": "LIKE", "~~*": "ILIKE" }[p.operator];
  return op
    ? p.constant !== null
      ? `${op} '${p.constant}'`
      : `${op} with a pattern`
    : "a regular expression match";
}

export function suggestIndex(
  table: { sql: SqlText },
  columns: SqlText[],
  existing: IndexFacts[],
): IndexSuggestion {
  const ddl = sql`CREATE INDEX CONCURRENTLY ON ${table.sql} (${list(columns)});`;
  const bare = columns.map(unquoted);
  const coveredBy =
    existing.find(
      (i) =>
        i.isValid &&
        i.method === "btree" &&
        i.predicate === null &&
        bare.every((c, k) => unquoted(i.columns[k] ?? "") === c),
    ) ?? null;
  return { columns, ddl, coveredBy };
}

/** A key item compared loosely: without quotes, outer parentheses and ASC. */
function unquoted(item: string): string {
  return item
    .replace(/\s+ASC$/, "")
    .replace(/^\((.*)\)$/, "$1")
    .replace(/"/g, "");
}
