/**
 * The plan rules run on a stored plan, as `dbopt explain` runs them on a plan file: the store keeps dbopt's plan
 * model, so only the analysis and the rules run. No snapshot: rules that need the schema say less than on a live
 * database. Findings colour the plan's picture.
 */
import { analyzePlan } from "../facts/plan/plan-metrics.js";
import type { Plan } from "../facts/plan/plan-model.js";
import type { Finding } from "../findings/finding.js";
import { PLAN_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";

export function storedPlanFindings(plan: Plan, query: string): Finding[] {
  return runRules(PLAN_RULES, { analyzed: analyzePlan(plan), sql: query, snapshot: null, statement: null });
}
