/**
 * Extend (Schlosser, Kossmann, Boissier, ICDE 2019), the reference index-selection algorithm of the TPC-H
 * benchmark, written from the paper so it runs on the same data, the same planner and the same what-if calls as
 * dbopt's advisor. Starting from no indexes, each step takes the change with the best cost reduction per added
 * byte: a new single-column index on an attribute some query reads, or an index already chosen extended by one
 * more attribute that a query reads together with its columns. It stops when nothing fits the budget or helps.
 * Every query weighs one: the objective is the plain sum of estimated costs, as in the paper.
 *
 * As published, Extend may propose an index whose leading columns an existing index already has (lineitem
 * (l_orderkey) beside the primary key (l_orderkey, l_linenumber)). HypoPG estimates a hypothetical index smaller
 * and shallower than the real one, so such a copy shows a gain no real index would give: on TPC-H SF 1 a
 * hypothetical exact copy of lineitem's primary key makes Q4 11% cheaper. `skipServed` applies dbopt's rule
 * against those candidates, to compare the search alone.
 */
import { servedByExisting } from "../../src/advisors/index/generate-candidates.js";
import { type IndexCandidate, makeCandidate } from "../../src/advisors/index/index-candidate.js";
import type { WhatIf } from "../../src/advisors/index/what-if.js";
import type { WorkloadQuery } from "../../src/advisors/index/workload-query.js";
import type { IndexFacts } from "../../src/facts/snapshot.js";
import { ident } from "../../src/util/sql-text.js";

export interface ExtendResult {
  chosen: IndexCandidate[];
  costBefore: number;
  costAfter: number;
  usedBytes: number;
}

export async function extendSelection(
  queries: WorkloadQuery[],
  whatIf: WhatIf,
  budgetBytes: number,
  schemaOf: (table: string) => string,
  skipServed: IndexFacts[] | null = null,
): Promise<ExtendResult> {
  // Per query, the attributes it reads, per table: a query's "indexable columns" in the paper's sense.
  const readTogether: Array<Map<string, Set<string>>> = queries.map((q) => {
    const byTable = new Map<string, Set<string>>();
    for (const block of q.shape.blocks)
      for (const t of block.tables)
        for (const column of block.referenced.get(t.refName) ?? []) {
          if (column === "*") continue;
          const set = byTable.get(t.name) ?? new Set<string>();
          set.add(column);
          byTable.set(t.name, set);
        }
    return byTable;
  });
  const attributes = new Map<string, Set<string>>();
  for (const byTable of readTogether)
    for (const [table, columns] of byTable)
      for (const c of columns) attributes.set(table, (attributes.get(table) ?? new Set()).add(c));

  const made = new Map<string, IndexCandidate>();
  const index = (table: string, columns: string[]) => {
    const c = makeCandidate({ schema: schemaOf(table), name: table }, "btree", columns.map(ident), {
      reason: "Extend",
      query: "",
    });
    const known = made.get(c.key);
    if (known) return known;
    made.set(c.key, c);
    return c;
  };
  const workloadCost = async (config: IndexCandidate[]) => {
    let total = 0;
    for (const q of queries) total += (await whatIf.cost(q, config)).cost;
    return total;
  };

  const costBefore = await workloadCost([]);
  const chosen: Array<{ c: IndexCandidate; table: string; columns: string[] }> = [];
  let cost = costBefore;
  let usedBytes = 0;
  for (;;) {
    let best: { next: typeof chosen; ratio: number; cost: number; bytes: number } | null = null;
    const consider = async (next: typeof chosen, extraBytes: number) => {
      if (usedBytes + extraBytes > budgetBytes) return;
      if (skipServed && next.some((x) => servedByExisting(x.c, skipServed))) return;
      const after = await workloadCost(next.map((x) => x.c));
      const ratio = (cost - after) / Math.max(extraBytes, 1);
      if (after < cost && (!best || ratio > best.ratio))
        best = { next, ratio, cost: after, bytes: extraBytes };
    };
    for (const [table, columns] of attributes) {
      for (const column of columns) {
        if (chosen.some((x) => x.table === table && x.columns.length === 1 && x.columns[0] === column))
          continue;
        const c = index(table, [column]);
        await consider([...chosen, { c, table, columns: [column] }], await whatIf.size(c));
      }
    }
    for (const x of chosen) {
      const extensions = new Set<string>();
      for (const byTable of readTogether) {
        const read = byTable.get(x.table);
        if (read && x.columns.every((c) => read.has(c)))
          for (const c of read) if (!x.columns.includes(c)) extensions.add(c);
      }
      for (const column of extensions) {
        const columns = [...x.columns, column];
        const c = index(x.table, columns);
        if (chosen.some((y) => y.c === c)) continue;
        const extra = (await whatIf.size(c)) - (await whatIf.size(x.c));
        await consider(
          chosen.map((y) => (y === x ? { c, table: x.table, columns } : y)),
          Math.max(extra, 0),
        );
      }
    }
    if (!best) break;
    const step: { next: typeof chosen; cost: number; bytes: number } = best;
    chosen.splice(0, chosen.length, ...step.next);
    cost = step.cost;
    usedBytes += step.bytes;
  }
  return { chosen: chosen.map((x) => x.c), costBefore, costAfter: cost, usedBytes };
}
