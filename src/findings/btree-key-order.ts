/**
 * The one B-tree key-order policy, for every index dbopt proposes or judges: the index advisor's candidates and its
 * whole-statement check, and the indexes the plan rules suggest. The columns a statement compares for equality (=,
 * IN, IS NULL) lead, in any order, most distinct first when statistics say so; then, for a top-N (ORDER BY ...
 * LIMIT on this table alone), its ORDER BY, so the index returns the first rows in order and the LIMIT stops; else
 * one range column (a comparison before a LIKE prefix), after which a B-tree cannot seek on further columns.
 * An IN list leads with the equalities in a top-N too: its values do not come in one order from the index, but it
 * reads only the matching entries and sorts those few (bench/oltp/expert-indexes.sql, a3: the expert's choice; the
 * index on the tenant then the ORDER BY column, walking the tenant's newest rows, measured 18-38 ms a call).
 * Conditions under an OR are left out: a composite index does not serve them.
 */
import type { Snapshot, TableFacts } from "../facts/snapshot.js";
import type { ColumnPredicate } from "../facts/sql/predicates.js";
import type { PredicateUse, QueryBlock, TableRef } from "../facts/sql/query-shape.js";
import { ident, indexExpression, type SqlText, sql } from "../util/sql-text.js";

/** A comparison of one of the table's columns, as both predicate readers (facts/sql/) give it. */
export type KeyPredicate = Pick<
  ColumnPredicate,
  "column" | "isExpression" | "kind" | "operator" | "constant" | "underOr"
>;

/** A statement's key parts on one table, each kind in the order the index takes it. */
export interface KeyParts<P extends KeyPredicate = KeyPredicate> {
  /** The equality predicates, one per column, ranked. */
  equality: P[];
  /** Range and LIKE-prefix predicates, one per column, comparisons first: the first follows the equalities. */
  ranges: P[];
  /** A top-N: ORDER BY ... LIMIT on this table alone. */
  topN: boolean;
  /** The top-N's ORDER BY items not among the equalities; null without a top-N or when a key cannot be an index key. */
  order: SqlText[] | null;
}

/**
 * A column name or expression as an index key item: the name quoted, the expression in parentheses without
 * the statement's table qualifiers (`lower(c.email)` → `(lower(email))`). Null for an expression an index
 * cannot hold.
 */
export function keyItem(column: string, isExpression: boolean, desc = false): SqlText | null {
  const expression = isExpression ? indexExpression(column) : null;
  if (isExpression && !expression) return null;
  const item = expression ? sql`(${expression})` : ident(column);
  return desc ? sql`${item} DESC` : item;
}

/** A top-N's ORDER BY as key items, the direction written only when the keys mix them (a backward scan serves DESC). */
export function orderItems(
  order: Array<{ column: string; isExpression: boolean; desc: boolean }>,
): SqlText[] | null {
  const mixed = new Set(order.map((o) => o.desc)).size > 1;
  const items = order.map((o) => keyItem(o.column, o.isExpression, mixed && o.desc));
  return items.every((i) => i !== null) ? items : null;
}

/**
 * The key parts of a statement's predicates on one table; `topN` the ORDER BY items of its top-N (`orderItems`;
 * undefined without a top-N, null when a key cannot be an index key). `distinct` gives a column's distinct values
 * where statistics are known: more distinct columns lead.
 */
export function keyParts<P extends KeyPredicate>(
  predicates: P[],
  topN?: SqlText[] | null,
  distinct: (column: string) => number = () => 0,
): KeyParts<P> {
  const outsideOr = predicates.filter((p) => !p.underOr);
  const equality = oneEach(outsideOr.filter(isEquality)).sort(
    (a, b) => distinct(b.column) - distinct(a.column) || Number(a.kind === "in") - Number(b.kind === "in"),
  );
  const ranges = oneEach(outsideOr.filter(isRange)).sort(
    (a, b) => Number(a.kind === "like") - Number(b.kind === "like"),
  );
  const leading = equalityItems({ equality });
  return {
    equality,
    ranges,
    topN: topN !== undefined,
    order: topN ? topN.filter((i) => !leading.includes(i)) : null,
  };
}

/** The key parts of one table of a statement block (query-shape.ts): its predicates and its top-N, if any. */
export function blockKeyParts(
  block: QueryBlock,
  ref: TableRef,
  distinct?: (column: string) => number,
): KeyParts<PredicateUse> {
  const order = block.orderBy.length && block.orderBy.every((o) => o.table === ref) ? block.orderBy : [];
  return keyParts(
    block.predicates.filter((p) => p.table === ref),
    order.length && block.hasLimit ? orderItems(order) : undefined,
    distinct,
  );
}

/** The equality columns' key items; an expression an index cannot hold is left out. */
export function equalityItems(parts: Pick<KeyParts, "equality">): SqlText[] {
  return parts.equality.map((p) => keyItem(p.column, p.isExpression)).filter((i) => i !== null);
}

/** The first range column's key item, if it has one. */
export function rangeItem(parts: Pick<KeyParts, "ranges">): SqlText | null {
  const first = parts.ranges[0];
  return first ? keyItem(first.column, first.isExpression) : null;
}

/** The index key the policy gives: the equalities, then the top-N's order or else the first range. */
export function btreeKey(parts: KeyParts): SqlText[] {
  const range = rangeItem(parts);
  const then = parts.order ?? (range ? [range] : []);
  return [...new Set([...equalityItems(parts), ...then])];
}

/**
 * A column's distinct values from pg_stats (n_distinct, a negated fraction of the rows when below zero); 0 when the
 * snapshot has no statistics for it.
 */
export function distinctValues(
  snapshot: Pick<Snapshot, "columnStats"> | null | undefined,
  table: Pick<TableFacts, "schema" | "name" | "rowsEstimate"> | null,
): (column: string) => number {
  return (column) => {
    const stats = table
      ? snapshot?.columnStats.find(
          (c) => c.schema === table.schema && c.table === table.name && c.column === column,
        )
      : undefined;
    if (!stats || !table) return 0;
    return stats.nDistinct < 0 ? -stats.nDistinct * table.rowsEstimate : stats.nDistinct;
  };
}

function isEquality(p: KeyPredicate): boolean {
  return p.kind === "eq" || p.kind === "in" || p.kind === "null";
}

/** A comparison, or LIKE 'abc%' (a B-tree seeks to the fixed prefix). */
function isRange(p: KeyPredicate): boolean {
  return p.kind === "range" || (p.kind === "like" && prefixLike(p));
}

/**
 * LIKE 'abc%': a B-tree can seek to the fixed prefix. Not ILIKE (the prefix has several cases), not NOT LIKE,
 * not a pattern that starts with a wildcard, not a parameter whose pattern is unknown.
 */
export function prefixLike(p: Pick<KeyPredicate, "kind" | "operator" | "constant">): boolean {
  return (
    p.kind === "like" &&
    p.operator === "~~" &&
    typeof p.constant === "string" &&
    !p.constant.startsWith("%") &&
    !p.constant.startsWith("_")
  );
}

function oneEach<P extends { column: string }>(items: P[]): P[] {
  const seen = new Set<string>();
  return items.filter((p) => !seen.has(p.column) && Boolean(seen.add(p.column)));
}
