/**
 * Whole-statement indexes: the B-tree that serves every equality column of a statement on a table (in its key, or
 * fixed by its partial predicate) and then its ORDER BY, so a top-N reads its rows in order from a few index
 * entries. The planner prices the step from a one-column index (tenant_id) to that one as a small cost gap: it
 * underrates the heap rows fetched and filtered out and the sort. Measured on bench/advisor-oltp.ts, the gap is
 * 0.1 ms against 8 to 35 ms per call, so the advisor takes that variant when the planner says it at least halves
 * the statement's cost and its extra bytes are small beside the table (WHOLE_MAX_EXTRA_SHARE) or the
 * database (WHOLE_MAX_DATABASE_SHARE).
 */
import type { QueryShape } from "../../facts/sql/query-shape.js";
import { blockKeyParts, keyItem } from "../../findings/btree-key-order.js";
import type { IndexCandidate } from "./index-candidate.js";

/** The variant must bring the statement's planned cost to at most this share of its cost without it. */
export const WHOLE_MAX_COST_SHARE = 0.5;
/** Its bytes, less those of the chosen indexes it makes unused, at most this share of the table's own bytes. */
export const WHOLE_MAX_EXTRA_SHARE = 0.5;
/** Or, on a small table, at most this share of the database: a login table's 2 MB index is small whatever its table. */
export const WHOLE_MAX_DATABASE_SHARE = 0.01;

/**
 * What a whole-statement index's extra bytes cost, in the workload's milliseconds: MIN_MARGINAL (0.5%) of what the
 * workload still costs with the indexes chosen so far, for every 1% of the database the bytes add.
 */
export function wholeSpacePrice(extraBytes: number, databaseBytes: number, remainingMs: number): number {
  return (Math.max(extraBytes, 0) / databaseBytes) * 100 * 0.005 * remainingMs;
}

/**
 * True when the B-tree's key is the one the key-order policy (btree-key-order.ts) gives the statement on its table:
 * first every column the statement compares for equality (in any order; a column its partial predicate fixes need
 * not be in the key), then the ORDER BY columns in order when it is a top-N on that table alone, else one of its
 * range columns when it has any.
 */
export function servesWholeStatement(c: IndexCandidate, shape: QueryShape): boolean {
  if (c.method !== "btree") return false;
  const keys = c.columns.map(bare);
  let servedSome = false;
  for (const block of shape.blocks) {
    for (const ref of block.tables.filter((t) => t.name === c.table && (t.schema ?? c.schema) === c.schema)) {
      const parts = blockKeyParts(block, ref);
      const equality = new Set<string>();
      for (const p of parts.equality) {
        const item = keyItem(p.column, p.isExpression);
        if (item === null) return false;
        if (!(c.where && p.constant !== null && c.where.startsWith(`${item} `))) equality.add(bare(item));
      }
      if (equality.size === 0) continue;
      if (keys.length < equality.size || !keys.slice(0, equality.size).every((k) => equality.has(k)))
        return false;
      const rest = keys.slice(equality.size).filter((k) => !equality.has(k));
      if (parts.topN) {
        if (!parts.order?.every((item, n) => rest[n] === bare(item))) return false;
      } else {
        const ranges = parts.ranges.map((p) => keyItem(p.column, p.isExpression));
        if (ranges.length && !ranges.some((r) => r !== null && rest[0] === bare(r))) return false;
      }
      servedSome = true;
    }
  }
  return servedSome;
}

function bare(item: string): string {
  return item.replace(/ DESC$/, "").replace(/"/g, "");
}
