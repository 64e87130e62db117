/** Every rule dbopt knows, by family, sorted by id. Add a rule here and it runs, documents and lists itself. */
import { coldReads } from "./plan/cold-reads.js";
import { correlatedSubplan } from "./plan/correlated-subplan.js";
import { cteRescanned } from "./plan/cte-rescanned.js";
import { hashSpill } from "./plan/hash-spill.js";
import { heapFetches } from "./plan/heap-fetches.js";
import { hotNode } from "./plan/hot-node.js";
import { indexFilter } from "./plan/index-filter.js";
import { jitOverhead } from "./plan/jit-overhead.js";
import { largeOffset } from "./plan/large-offset.js";
import { lossyBitmap } from "./plan/lossy-bitmap.js";
import { memoizeMisses } from "./plan/memoize-misses.js";
import { nestedLoopInner } from "./plan/nested-loop-inner.js";
import { notInSubquery } from "./plan/not-in-subquery.js";
import { parallelWorkersShort } from "./plan/parallel-workers-short.js";
import type { PlanFacts } from "./plan/plan-facts.js";
import { planningTime } from "./plan/planning-time.js";
import { rowMisestimate } from "./plan/row-misestimate.js";
import { seqScanFilter } from "./plan/seq-scan-filter.js";
import { slowTrigger } from "./plan/slow-trigger.js";
import { sortSpill } from "./plan/sort-spill.js";
import type { Rule } from "./rule.js";
import { repeatedLookup } from "./workload/repeated-lookup.js";
import { tempSpill } from "./workload/temp-spill.js";
import type { WorkloadRuleFacts } from "./workload/workload-facts.js";

// biome-ignore lint/suspicious/noExplicitAny: rules differ in their option shapes; each checks its own.
type AnyRule<F> = Rule<F, any>;

const byId = <F>(rules: AnyRule<F>[]) => [...rules].sort((a, b) => a.id.localeCompare(b.id));

export const PLAN_RULES: readonly AnyRule<PlanFacts>[] = byId([
  coldReads,
  correlatedSubplan,
  cteRescanned,
  hashSpill,
  heapFetches,
  hotNode,
  indexFilter,
  jitOverhead,
  largeOffset,
  lossyBitmap,
  memoizeMisses,
  nestedLoopInner,
  notInSubquery,
  parallelWorkersShort,
  planningTime,
  rowMisestimate,
  seqScanFilter,
  slowTrigger,
  sortSpill,
]);

export const WORKLOAD_RULES: readonly AnyRule<WorkloadRuleFacts>[] = byId([repeatedLookup, tempSpill]);

/** Every rule, sorted by id, for listings and documentation. */
export function allRules(): readonly AnyRule<unknown>[] {
  return byId([...(PLAN_RULES as AnyRule<unknown>[]), ...(WORKLOAD_RULES as AnyRule<unknown>[])]);
}
