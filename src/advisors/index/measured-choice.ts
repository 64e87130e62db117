/**
 * The whole-statement step's test on a sandbox, where the indexes exist for real (WhatIf.measure): a variant is
 * taken when it halves the statement's measured run time, not its planned cost. The planner prices the step from
 * a one-column index to the whole-statement one as a small gap (it underrates the heap rows fetched and filtered
 * out and the sort), or as a large one where the rows it would fetch are few and cached; the run time says which.
 */
import { DbError } from "../../connectors/db-error.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { SearchContext } from "./search-context.js";
import { WHOLE_MAX_COST_SHARE } from "./whole-statement.js";
import type { WorkloadQuery } from "./workload-query.js";

/**
 * A measured saving must also be at least this many ms a call: below it, two runs of one statement on a loaded
 * machine differ by as much (bench/advisor-oltp.ts measured 0.01-0.1 ms between draws of one index set).
 */
export const MEASURED_MIN_SAVING_MS = 0.05;

export interface MeasuredTime {
  /** The statement's median run time with the indexes chosen so far, ms. */
  now: number;
  /** Its run time with `config`; null when running it failed (the planner's cost decides then). */
  with: (config: IndexCandidate[]) => Promise<number | null>;
}

/** Null where nothing can be run: HypoPG, a statement planned without values, or a run that failed. */
export async function measuredTime(
  context: SearchContext,
  q: WorkloadQuery,
  current: IndexCandidate[],
): Promise<MeasuredTime | null> {
  const measure = context.whatIf.measure?.bind(context.whatIf);
  if (!measure || q.method === "generic") return null;
  const run = async (config: IndexCandidate[]): Promise<number | null> => {
    try {
      return await measure(q, config);
    } catch (error) {
      // A statement that fails when run (its timeout) keeps the planner's judgement; a lost connection does not.
      if (error instanceof DbError && error.isConnectionError) throw error;
      if (context.options.signal?.aborted) throw error;
      return null;
    }
  };
  const now = await run(current);
  return now === null ? null : { now, with: run };
}

/** The variant at most halves the run time, and saves more than run-to-run noise. */
export function halves(nowMs: number, withMs: number): boolean {
  return withMs <= nowMs * WHOLE_MAX_COST_SHARE && nowMs - withMs >= MEASURED_MIN_SAVING_MS;
}
