/**
 * Workload-level index selection: candidates from the statements' shapes, each costed by the real planner
 * (HypoPG, or real indexes on a sandbox), then chosen greedily by net benefit per byte, re-costing with what is
 * already chosen (so two indexes that help the same statement are not both counted), widening a chosen index
 * by a column when that beats a new one, within the byte budget and index count, net of what each index costs
 * the writes. Existing indexes the recommendations make redundant are proposed for dropping. Each step is a
 * function in its own file; this one runs them in order.
 */
import type { Snapshot } from "../../facts/snapshot.js";
import type { AdviceReport, ExtensionState } from "./advice-report.js";
import { askEachStatementInOneBatch } from "./batch-questions.js";
import { buildAdviceReport } from "./build-advice-report.js";
import { promisingPool, scoreAlone } from "./candidate-pool.js";
import { chooseByValueIfTrapped } from "./choose-by-value.js";
import { completeStatements } from "./complete-statements.js";
import { exhaustiveSelection } from "./exhaustive-selection.js";
import { gatherCandidates } from "./gather-candidates.js";
import { type GreedySearch, greedySelection } from "./greedy-selection.js";
import type { IndexCandidate } from "./index-candidate.js";
import { planWorkload, workloadNotes } from "./plan-workload.js";
import { preferBrin } from "./prefer-brin.js";
import { refillUnderBudget } from "./refill-under-budget.js";
import { makeSearchContext } from "./search-context.js";
import { servingOnly } from "./serving-what-if.js";
import type { WhatIf } from "./what-if.js";
import { withinBudget } from "./within-budget.js";
import type { WorkloadQuery } from "./workload-query.js";

export { EXHAUSTIVE_MAX_POOL } from "./exhaustive-selection.js";
export { MS_PER_COST_UNIT, unplannedNotes } from "./plan-workload.js";

export interface AdviseOptions {
  budgetBytes: number | null;
  maxIndexes: number | null;
  /** The whole set must improve the workload by this share, or nothing is recommended. */
  minImprovement: number;
  tables?: string[];
  exclude?: string[];
  /** pg_stat_statements' window over the table counters' window, to put writes and reads on one scale. */
  windowScale?: number;
  /** "exhaustive" tries every subset of the candidate pool (small pools only): the benchmark for the greedy. */
  strategy?: "greedy" | "exhaustive";
  /** Keep only the best this many candidates (by what each saves alone) before choosing. */
  maxCandidates?: number;
  /** false: only the budget limits space, as in published index-selection benchmarks; default true. */
  priceStorage?: boolean;
  /** The share of the workload an index must save to be added or kept; default MIN_MARGINAL (0.5%). */
  minIndexGain?: number;
  /** The state of extensions candidates need (pg_trgm for trigram GIN); not checked when absent. */
  extensions?: Record<string, ExtensionState>;
  onProgress?: (message: string) => void;
  /** Stops the search at its next what-if question (SIGINT). */
  signal?: AbortSignal;
}

export async function adviseIndexes(
  workload: WorkloadQuery[],
  snapshot: Snapshot,
  session: WhatIf,
  target: string,
  options: AdviseOptions,
): Promise<AdviceReport> {
  const started = Date.now();
  const whatIf = servingOnly(session);
  const progress = options.onProgress ?? (() => {});
  const candidates = gatherCandidates(workload, snapshot, whatIf, options);
  const measurable = await withinBudget(candidates.simulable, options.budgetBytes, whatIf);

  progress(`costing ${workload.length} statements with the current indexes`);
  const plan = await planWorkload(workload, snapshot, whatIf, options.signal);
  const notes = workloadNotes(plan, workload.length);
  const context = makeSearchContext(plan, snapshot, whatIf, options, measurable, notes);

  progress(`costing ${measurable.length} candidate indexes`);
  await askEachStatementInOneBatch(context);
  const { aloneGain, scored } = await scoreAlone(context);
  const search: GreedySearch = {
    pool: promisingPool(scored, options.maxCandidates),
    aloneGain,
    bounds: new Map(),
    partners: new Map(),
  };

  let chosen: IndexCandidate[];
  if (options.strategy === "exhaustive") {
    progress(`trying every subset of ${search.pool.length} candidates`);
    chosen = await exhaustiveSelection(search.pool, options, context.netValueOf, (c) => whatIf.size(c));
  } else {
    progress("choosing indexes for the whole workload");
    chosen = await greedySelection(context, search, "density");
    if (options.budgetBytes !== null) {
      chosen = await chooseByValueIfTrapped(context, search, chosen);
      progress("taking the largest index out, to fill the space again");
      chosen = await refillUnderBudget(context, search, chosen);
    }
    progress("looking for indexes that serve a whole statement");
    chosen = await completeStatements(context, chosen);
  }
  progress("weighing BRIN in place of the chosen B-trees");
  chosen = await preferBrin(context, chosen);
  progress("writing up the chosen set");
  return buildAdviceReport(context, {
    target,
    chosen,
    candidates: candidates.all.length,
    pool: search.pool.length,
    unmeasured: candidates.unmeasured,
    unplanned: plan.unplanned,
    started,
  });
}
