import { nodeLabel } from "../../facts/plan/node-label.js";
import { setSession } from "../../findings/fix-sql.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { nodeFindings, nodeImpact, type PlanFacts } from "./plan-facts.js";

type Options = { maxHitRatio: number; minLookups: number };

/** A Memoize cache that mostly misses: the planner overestimated how often keys repeat, or it ran out of memory. */
export const memoizeMisses: Rule<PlanFacts, Options> = {
  id: "plan/memoize-misses",
  family: "plan",
  title: "Memoize cache mostly misses",
  description:
    "A Memoize node caches inner-side results by key; when most lookups miss (or entries are evicted for lack of memory) it adds overhead instead of saving work.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-ENABLE-MEMOIZE",
  options: {
    maxHitRatio: { default: 0.5, description: "hit ratio below which the cache is reported" },
    minLookups: { default: 1000, description: "lookups (hits + misses)" },
  },
  check({ analyzed }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.nodeType !== "Memoize") return null;
      const hits = Number(node.props["Cache Hits"] ?? 0);
      const misses = Number(node.props["Cache Misses"] ?? 0);
      const evictions = Number(node.props["Cache Evictions"] ?? 0);
      const lookups = hits + misses;
      if (lookups < o.minLookups || hits / lookups >= o.maxHitRatio) return null;
      return {
        ruleId: this.id,
        severity: "info",
        title: `${nodeLabel(node)} hit ${formatPercent(hits / lookups)} of ${formatCount(lookups)} lookups`,
        detail: `${formatCount(misses)} misses${evictions ? ` and ${formatCount(evictions)} evictions (the cache ran out of memory)` : ""}: each miss runs the inner side anyway, plus the cache's bookkeeping.`,
        evidence: {
          hits,
          misses,
          evictions,
          hitRatio: round3(hits / lookups),
          cacheKey: String(node.props["Cache Key"] ?? ""),
        },
        fix: evictions
          ? {
              sql: setSession("work_mem", "64MB"),
              note: "Entries were evicted for lack of memory: more work_mem keeps them. If keys rarely repeat, SET enable_memoize = off for this query instead.",
            }
          : {
              sql: sql`${setSession("enable_memoize", "off")}  -- to compare`,
              note: "Keys rarely repeat, so the planner's n_distinct estimate for the cache key is off: ANALYZE the outer table, then compare with Memoize disabled.",
            },
        docsUrl: this.docsUrl,
        impact: m ? nodeImpact(m) : 0,
        nodeId: id,
      };
    });
  },
};
