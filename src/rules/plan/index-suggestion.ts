/** The index a plan's conditions ask for, its key ordered by the one key-order policy (findings/btree-key-order.ts). */

import type { IndexFacts } from "../../facts/snapshot.js";
import type { ColumnPredicate } from "../../facts/sql/predicates.js";
import { btreeKey, keyItem, keyParts, prefixLike } from "../../findings/btree-key-order.js";
import { ident, list, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";

export interface IndexSuggestion {
  columns: SqlText[];
  ddl: SqlText;
  /** An existing valid index that already starts with these columns, if any. */
  coveredBy: IndexFacts | null;
}

/** A key of an ORDER BY an index could return rows in: a column, or an index key item as the server printed it. */
export type OrderKey = { column: string; desc: boolean } | { serverItem: string };

function orderItem(key: OrderKey, withDirection: boolean): SqlText {
  if ("serverItem" in key) return sqlFrom("server", key.serverItem);
  return withDirection && key.desc ? sql`${ident(key.column)} DESC` : ident(key.column);
}

/**
 * Columns for an index serving these predicates, or [] when none can use a B-tree. With `orderBy` (a top-N's
 * ORDER BY columns) the index is equality columns then the order, so it returns the first rows in order.
 * `distinct` ranks the equality columns by their statistics when the snapshot has them.
 */
export function indexColumns(
  predicates: ColumnPredicate[],
  orderBy: OrderKey[] = [],
  distinct?: (column: string) => number,
): SqlText[] {
  // One direction for all keys: a backward scan serves DESC. Mixed directions must be spelled out.
  const mixed = new Set(orderBy.map((c) => "desc" in c && c.desc)).size > 1;
  const order = orderBy.length ? orderBy.map((c) => orderItem(c, mixed)) : undefined;
  return btreeKey(keyParts(predicates, order, distinct));
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
        (((p.operator === "~~" || p.operator === "~~*") && !prefixLike(p)) ||
          p.operator === "~" ||
          p.operator === "~*"),
    ) ?? null
  );
}

/** The trigram GIN for such a pattern, with pg_trgm installed first (CREATE EXTENSION IF NOT EXISTS). */
export function trigramIndex(table: { sql: SqlText }, p: ColumnPredicate): SqlText | null {
  const key = keyItem(p.column, p.isExpression);
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
