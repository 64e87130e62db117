/**
 * What the plan rules find in each plan of `dbopt explain --compare`: its HTML page colours each plan's picture by
 * them. A file of its own so the other formats of a comparison never load the plan rules.
 */
import type { Finding } from "../findings/finding.js";
import type { PlanComparison } from "./compare-plans.js";
import { reportOnPlan } from "./plan-report.js";

export function planComparisonFindings(report: PlanComparison): { before: Finding[]; after: Finding[] } {
  const findings = (side: "before" | "after") =>
    reportOnPlan(report.plans[side], { source: report[side].source }).findings;
  return { before: findings("before"), after: findings("after") };
}
