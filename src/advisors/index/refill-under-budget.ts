/**
 * The refill step: a full budget can hold an index that a greedy step liked early but that later ones would beat
 * together. Take each of the largest chosen indexes out in turn, fill the space again without it, and keep the
 * better set. A refill gives up once what it could still reach (value-ceiling.ts) cannot beat the set it would
 * replace: before it starts, and after each index it adds.
 */
import { type GreedySearch, greedyToBeat } from "./greedy-selection.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import type { SearchContext } from "./search-context.js";

/**
 * How many of the largest chosen indexes the refill pass tries taking out. One: on TPC-H SF 1 (both layouts,
 * 100 MB to 1.5 GB) the second and third tries never replaced anything and cost up to a third of the search's calls.
 */
const REFILL_TRIES = 1;

export async function refillUnderBudget(
  context: SearchContext,
  search: GreedySearch,
  start: IndexCandidate[],
): Promise<IndexCandidate[]> {
  const { whatIf, netValueOf, minGain } = context;
  let best = start;
  let value = await netValueOf(start);
  const largest = [...start];
  const sizes = new Map<IndexCandidate, number>();
  for (const c of largest) sizes.set(c, await whatIf.size(c));
  largest.sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0));
  for (const c of largest.slice(0, REFILL_TRIES)) {
    const seed = best.filter((x) => x !== c);
    const next = await greedyToBeat(context, search, "density", value + minGain, seed, [c]);
    if (!next) continue;
    const v = await netValueOf(next);
    if (v > value + minGain) {
      context.progress(
        `replaced ${candidateDdl(c)} by ${next
          .filter((x) => !best.includes(x))
          .map((x) => candidateDdl(x))
          .join(" ")}`,
      );
      best = next;
      value = v;
    }
  }
  return best;
}
