import { nodeLabel } from "../../facts/plan/node-label.js";
import { formatCount, formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { nodeFindings, type PlanFacts, severityFromImpact } from "./plan-facts.js";

type Options = { minLoops: number; minShare: number };

/** A correlated subquery run once per outer row. */
export const correlatedSubplan: Rule<PlanFacts, Options> = {
  id: "plan/correlated-subplan",
  family: "plan",
  title: "Correlated subquery runs once per row",
  description:
    "A SubPlan (a subquery that refers to the outer row) runs for every row of the node that uses it. A join, or a LATERAL join with an aggregate, does the work in one pass.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/functions-subquery.html",
  options: {
    minLoops: { default: 100, description: "executions of the subquery" },
    minShare: { default: 0.1, description: "share of the statement's time spent in the subquery" },
  },
  check({ analyzed }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.role !== "subplan" || !node.actual || node.actual.loops < o.minLoops) return null;
      if (!m || m.inclusiveMs === null || !analyzed.totalMs) return null;
      const share = m.inclusiveMs / analyzed.totalMs;
      if (share < o.minShare) return null;
      const owner = analyzed.parents[id];
      const rewrite = rewriteFor(owner?.props.Filter, node.subplanName);
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.inclusiveMs),
        title: `${node.subplanName ?? "SubPlan"} runs ${formatCount(node.actual.loops)} times`,
        detail: `It is evaluated for each row of ${owner ? nodeLabel(owner) : "its parent"}, ${formatMs(m.inclusiveMs / node.actual.loops)} a time, ${formatMs(m.inclusiveMs)} in all (${formatPercent(share)} of the statement).`,
        evidence: {
          subplan: node.subplanName,
          loops: node.actual.loops,
          totalMs: round3(m.inclusiveMs),
          perLoopMs: round3(m.inclusiveMs / node.actual.loops),
          share: round3(share),
          ...(rewrite ? { rewriteRule: rewrite.ruleId } : {}),
        },
        fix: {
          note: `Rewrite the correlated subquery as a JOIN (with GROUP BY for aggregates) or LEFT JOIN LATERAL (...) ON true, so PostgreSQL can pick a hash or merge join instead of one lookup per row.${rewrite ? ` ${rewrite.note}` : ""}`,
        },
        docsUrl: this.docsUrl,
        impact: m.inclusiveMs,
        nodeId: id,
      };
    });
  },
};

/**
 * The `dbopt rewrite` rule for this subplan: compared with 0 or 1 in its node's filter it is a count tested for
 * "any row" (count-to-exists); outside the filter it is the select list's (scalar-subquery-to-lateral); compared
 * otherwise in a filter no rule writes it.
 */
function rewriteFor(filter: unknown, subplan: string | null): { ruleId: string; note: string } | null {
  const name = (subplan ?? "SubPlan").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (typeof filter === "string" && filter.includes(subplan ?? "SubPlan")) {
    // The comparisons count-to-exists reads: > 0, >= 1, <> 0 (EXISTS), = 0, < 1 (NOT EXISTS), either side.
    const counted = new RegExp(
      `\\(${name}\\) (> 0|>= 1|<> 0|= 0|< 1)\\)|\\((0 <|1 <=|0 <>|0 =|1 >) \\(${name}\\)`,
    ).test(filter);
    return counted
      ? {
          ruleId: "rewrite/count-to-exists",
          note: "When it is (SELECT count(*) …) > 0, `dbopt rewrite` (rule rewrite/count-to-exists) writes EXISTS, which stops at the first row, and proves it on your data.",
        }
      : null;
  }
  return {
    ruleId: "rewrite/scalar-subquery-to-lateral",
    note: "For a select-list subquery that aggregates or looks up a unique key, `dbopt rewrite` (rule rewrite/scalar-subquery-to-lateral) writes the LEFT JOIN and proves on your data that it returns the same rows.",
  };
}
