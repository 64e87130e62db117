import { DbError } from "../../connectors/db-error.js";
import { buildBenefitGraph } from "./index-benefit-graph.js";
import type { SearchContext } from "./search-context.js";

/**
 * Each statement's questions asked in one batch (index-benefit-graph.ts) before the search asks them one by one,
 * so the costs alone and many of the greedy's later questions follow from known plans, with no planner call.
 */
export async function askEachStatementInOneBatch(context: SearchContext): Promise<void> {
  const { queries, whatIf, measurable, options } = context;
  for (const q of queries) {
    try {
      await buildBenefitGraph(whatIf, q, measurable, options.signal);
    } catch (error) {
      // A candidate that cannot be planned is found and named by the scoring (scoreAlone), one at a time.
      if (error instanceof DbError && error.isConnectionError) throw error;
      if (options.signal?.aborted) throw error;
    }
  }
}
