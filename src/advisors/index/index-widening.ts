/** How the search grows a chosen B-tree: by one more key column, or into a candidate that starts with its keys. */
import { ident, type SqlText } from "../../util/sql-text.js";
import { type IndexCandidate, makeCandidate } from "./index-candidate.js";
import type { WorkloadQuery } from "./workload-query.js";

/** The B-tree x with one more key column (taken out of its INCLUDE when it is there). */
export function widened(x: IndexCandidate, column: SqlText): IndexCandidate {
  const wide = makeCandidate({ schema: x.schema, name: x.table }, "btree", [...x.columns, column], {
    include: x.include.filter((c) => c !== column),
    reason: `${x.reason}, widened by ${column}`,
    query: [...x.queries][0] ?? "",
  });
  for (const q of x.queries) wide.queries.add(q);
  return wide;
}

/** Whether y is x or more: same table, method and predicate, x's keys leading y's, x's INCLUDE held by y. */
export function startsWith(y: IndexCandidate, x: IndexCandidate): boolean {
  return (
    y.schema === x.schema &&
    y.table === x.table &&
    y.method === x.method &&
    y.where === x.where &&
    x.columns.every((c, i) => y.columns[i] === c) &&
    x.include.every((c) => y.columns.includes(c) || y.include.includes(c))
  );
}

/**
 * Columns to widen a chosen B-tree by: the key and INCLUDE columns of other candidates on its table, and (as
 * Extend does) any column a statement reads together with all of the index's key columns.
 */
export function widerColumns(x: IndexCandidate, pool: IndexCandidate[], queries: WorkloadQuery[]): SqlText[] {
  const columns = new Set<SqlText>();
  for (const c of pool) {
    if (c.schema !== x.schema || c.table !== x.table || c.method !== "btree") continue;
    for (const col of [...c.columns, ...c.include]) columns.add(col);
  }
  const keys = x.columns.map((k) => k.replace(/ DESC$/, ""));
  for (const q of queries.filter((q) => q.tables.has(`${x.schema}.${x.table}`))) {
    for (const block of q.shape.blocks) {
      for (const t of block.tables.filter((t) => t.name === x.table)) {
        const read = [...(block.referenced.get(t.refName) ?? [])].filter((c) => c !== "*").map(ident);
        if (keys.every((k) => read.some((r) => r === k))) for (const col of read) columns.add(col);
      }
    }
  }
  // A column x already holds gains nothing as another key; one in its INCLUDE, only a sort order no query asked for.
  return [...columns].filter((col) => !x.columns.includes(col) && !x.include.includes(col));
}
