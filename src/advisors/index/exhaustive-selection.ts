import type { AdviseOptions } from "./advise-indexes.js";
import type { IndexCandidate } from "./index-candidate.js";

/** Pools above this size have too many subsets to try. */
export const EXHAUSTIVE_MAX_POOL = 14;

/** The subset of the pool with the highest net value within the budget and index count: the benchmark for the greedy. */
export async function exhaustiveSelection(
  pool: IndexCandidate[],
  options: AdviseOptions,
  value: (config: IndexCandidate[]) => Promise<number>,
  size: (c: IndexCandidate) => Promise<number>,
): Promise<IndexCandidate[]> {
  if (pool.length > EXHAUSTIVE_MAX_POOL)
    throw new Error(`exhaustive search over ${pool.length} candidates is too large`);
  const sizes: number[] = [];
  for (const c of pool) sizes.push(await size(c)); // one session: one question at a time
  let best: IndexCandidate[] = [];
  let bestValue = 0;
  for (let mask = 1; mask < 1 << pool.length; mask++) {
    const config = pool.filter((_, k) => mask & (1 << k));
    if (options.maxIndexes !== null && config.length > options.maxIndexes) continue;
    const bytes = sizes.reduce((sum, b, k) => sum + (mask & (1 << k) ? b : 0), 0);
    if (options.budgetBytes !== null && bytes > options.budgetBytes) continue;
    const v = await value(config);
    if (v > bestValue) {
      best = config;
      bestValue = v;
    }
  }
  return best;
}
