import type { IndexCandidate } from "./index-candidate.js";
import { startsWith, widened, widerColumns } from "./index-widening.js";
import type { SearchContext } from "./search-context.js";

/**
 * What a greedy run that starts from `set` could be worth at most: the set beside every index the space left
 * could take (a pool candidate, an upgrade or a one-column widening of a set index), all at once, with no charge
 * for writes or space. An index only adds plans for the planner to choose from, so no set the run can reach
 * costs the workload less. One planner question per statement, against the dozens a greedy run asks. (A widening
 * of an index the run has not taken yet is not in it: a bound on the run's likely reach, not a proof.)
 */
export async function valueCeiling(
  context: SearchContext,
  pool: IndexCandidate[],
  set: IndexCandidate[],
  leftOut: IndexCandidate[],
): Promise<number> {
  const { whatIf, queries } = context;
  const free = (context.options.budgetBytes ?? Number.POSITIVE_INFINITY) - (await context.sizeOf(set));
  const extra: IndexCandidate[] = [];
  for (const y of pool) {
    if (leftOut.includes(y) || set.includes(y)) continue;
    let room = free;
    for (const x of set) if (startsWith(y, x)) room = Math.max(room, free + (await whatIf.size(x)));
    if ((await whatIf.size(y)) <= room) extra.push(y);
  }
  for (const x of set.filter((x) => x.method === "btree" && !x.where))
    for (const column of widerColumns(x, pool, queries)) {
      const wide = widened(x, column);
      if ((await whatIf.size(wide)) - (await whatIf.size(x)) <= free) extra.push(wide);
    }
  // Writes and space are left uncharged: the run's redundancy step may drop indexes of the set, and the ceiling
  // must stay above whatever it reaches.
  let value = 0;
  for (const q of queries) value += q.weight * (1 - (await context.ratio(q, [...set, ...extra])));
  return value;
}
