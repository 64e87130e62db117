import { DbError } from "../../connectors/db-error.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { WhatIf } from "./what-if.js";

/**
 * The candidates no larger than the whole budget: a bigger one can never be chosen, so no question is asked about
 * it (Extend skips them too). One whose size cannot be read stays, for the scoring to name what is wrong with it.
 */
export async function withinBudget(
  candidates: IndexCandidate[],
  budgetBytes: number | null,
  whatIf: WhatIf,
): Promise<IndexCandidate[]> {
  if (budgetBytes === null) return candidates;
  const out: IndexCandidate[] = [];
  for (const c of candidates) {
    const bytes = await whatIf.size(c).catch((error: unknown) => {
      if (error instanceof DbError && error.isConnectionError) throw error;
      return 0;
    });
    if (bytes <= budgetBytes) out.push(c);
  }
  return out;
}
