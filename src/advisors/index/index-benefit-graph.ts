/**
 * Batched what-if questions per statement: an index benefit graph (Schnaitter et al., "Index interactions in
 * physical design tuning", VLDB 2009). The statement is planned with every candidate that can change its plan;
 * the plan uses a few of them; each used one is taken away in turn and the rest asked again, down to a set whose
 * plan uses none. Then the cost with any subset of the candidates follows from a known plan (WhatIf's cost
 * derivation: a plan chosen among a set stays the cheapest when indexes it did not use are taken away), so the
 * search's later questions about those candidates are answered without the planner.
 */
import type { IndexCandidate } from "./index-candidate.js";
import { canServe, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/**
 * Planner calls per statement at most, by the candidates that can serve it (what-if.ts canServe): as many as scoring each alone would take.
 * A statement whose plans use many indexes at once (a many-table join) would need up to 2^used nodes; past the
 * cap the graph stays partial, and what it holds still answers the questions it covers (TPC-H SF 1: 716 calls
 * for graphs and scoring against 840 for scoring alone; with no cap, 1,090).
 */
const GRAPH_NODES_PER_CANDIDATE = 1;
const GRAPH_MIN_NODES = 8;

/** Builds the graph of one statement over `candidates` through `whatIf` (its answers stay in whatIf's cache). */
export async function buildBenefitGraph(
  whatIf: WhatIf,
  query: WorkloadQuery,
  candidates: IndexCandidate[],
  signal?: AbortSignal,
): Promise<void> {
  const relevant = candidates.filter((c) => canServe(query, c));
  if (relevant.length === 0) return;
  const cap = Math.max(GRAPH_MIN_NODES, GRAPH_NODES_PER_CANDIDATE * relevant.length);
  const seen = new Set<string>();
  const stack: IndexCandidate[][] = [relevant];
  let nodes = 0;
  for (; stack.length && nodes < cap; ) {
    signal?.throwIfAborted();
    const set = stack.pop() as IndexCandidate[];
    const key = set
      .map((c) => c.key)
      .sort()
      .join("\u0001");
    if (seen.has(key)) continue;
    seen.add(key);
    const before = whatIf.calls;
    const { used } = await whatIf.cost(query, set);
    if (whatIf.calls > before) nodes++;
    for (const u of used) stack.push(set.filter((c) => c.key !== u));
  }
}
