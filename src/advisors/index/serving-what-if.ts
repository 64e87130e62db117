import type { IndexCandidate } from "./index-candidate.js";
import { canServe, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/**
 * The index search's view of a what-if session: each question names only the indexes that can serve the statement
 * (what-if.ts canServe), so sets that differ by an index it merely reads a column of (in its SELECT list, an
 * aggregate, a join's other side) are one question. The planner builds no path on such an index, so the answer
 * is the same; once one is chosen, every later question about the statement would otherwise be new. The session
 * itself keys answers by isRelevant, the wider rule a caller outside the search can rely on.
 */
export function servingOnly(whatIf: WhatIf): WhatIf {
  const serving = (query: WorkloadQuery, config: IndexCandidate[]) =>
    config.filter((c) => canServe(query, c));
  const measure = whatIf.measure?.bind(whatIf);
  return {
    kind: whatIf.kind,
    get calls() {
      return whatIf.calls;
    },
    get cacheHits() {
      return whatIf.cacheHits;
    },
    cost: (query, config) => whatIf.cost(query, serving(query, config)),
    size: (candidate) => whatIf.size(candidate),
    ...(measure ? { measure: (query, config) => measure(query, serving(query, config)) } : {}),
    close: () => whatIf.close(),
  };
}
