import { type GreedySearch, greedyToBeat } from "./greedy-selection.js";
import type { IndexCandidate } from "./index-candidate.js";
import { startsWith } from "./index-widening.js";
import type { SearchContext } from "./search-context.js";

/**
 * Under a budget, value per byte can fill the space with small indexes and leave out the one big index that
 * matters most (the knapsack trap); choosing by value alone avoids it, so both run and the better set wins.
 * When the set chosen by density holds the index worth most alone (or one starting with its keys), the trap did
 * not close and the by-value run is skipped; it gives up once what it could still reach cannot beat that set
 * (value-ceiling.ts), which after its first, largest index is often the case.
 */
export async function chooseByValueIfTrapped(
  context: SearchContext,
  search: GreedySearch,
  byDensity: IndexCandidate[],
): Promise<IndexCandidate[]> {
  const first = [...search.aloneGain]
    .filter(([c]) => search.pool.includes(c))
    .sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!first || byDensity.some((x) => x === first || startsWith(x, first))) return byDensity;
  context.progress("choosing again by value alone, to compare under the budget");
  const rival = await context.netValueOf(byDensity);
  const byValue = await greedyToBeat(context, search, "value", rival);
  if (byValue && (await context.netValueOf(byValue)) > rival) {
    context.progress("the set chosen by value alone is worth more");
    return byValue;
  }
  return byDensity;
}
