import type { Finding } from "../../findings/finding.js";
import { formatMs, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { PlanFacts } from "./plan-facts.js";

type Options = { minPlanningMs: number };

/** Planning that costs more than running: many joins, many partitions, or a statement planned on every call. */
export const planningTime: Rule<PlanFacts, Options> = {
  id: "plan/planning-time",
  family: "plan",
  title: "Planning takes longer than execution",
  description:
    "The planner spent longer choosing the plan than the executor spent running it. Frequent statements like this gain from prepared statements; many-way joins and many partitions raise planning time.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-prepare.html",
  options: { minPlanningMs: { default: 5, description: "planning milliseconds" } },
  check({ analyzed }, o) {
    const { plan, nodes } = analyzed;
    if (plan.planningMs === null || plan.executionMs === null) return [];
    if (plan.planningMs < o.minPlanningMs || plan.planningMs <= plan.executionMs) return [];
    const relations = new Set(
      nodes.filter((n) => n.relationName).map((n) => `${n.schema ?? ""}.${n.relationName}`),
    ).size;
    const partitions = nodes
      .filter((n) => n.nodeType === "Append" || n.nodeType === "Merge Append")
      .reduce((sum, n) => sum + n.children.length, 0);
    const finding: Finding = {
      ruleId: this.id,
      severity: plan.planningMs >= 50 ? "warning" : "info",
      title: `Planning took ${formatMs(plan.planningMs)}, execution ${formatMs(plan.executionMs)}`,
      detail: `The plan has ${nodes.length} nodes over ${relations} relation scans${partitions ? ` and ${partitions} appended partitions` : ""}; the planner's search grows quickly with joins and partitions.`,
      evidence: {
        planningMs: plan.planningMs,
        executionMs: plan.executionMs,
        ratio: round3(plan.planningMs / Math.max(plan.executionMs, 0.001)),
        nodes: nodes.length,
        relationScans: relations,
        appendedChildren: partitions,
      },
      fix: {
        note: "Run it as a prepared statement (most drivers do with parameters) so the plan is reused; for many-way joins lower join_collapse_limit or write the joins in a good order; for partitioned tables make sure the WHERE clause prunes partitions.",
      },
      docsUrl: this.docsUrl,
      impact: plan.planningMs - plan.executionMs,
    };
    return [finding];
  },
};
