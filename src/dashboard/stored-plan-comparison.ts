/**
 * Two stored plans compared as `dbopt explain --compare` compares two plan files (pipeline/compare-plans.ts): the
 * store keeps dbopt's plan model, already parsed, so this starts from the models instead of from text.
 */
import { diffPlans } from "../facts/plan/plan-diff.js";
import { judgeDiff, statementMismatch } from "../facts/plan/plan-diff-verdict.js";
import { analyzePlan } from "../facts/plan/plan-metrics.js";
import { countNodes } from "../facts/plan/plan-model.js";
import type { PlanComparison } from "../pipeline/compare-plans.js";
import type { StoredPlan } from "../store/read-dashboard.js";

export function compareStoredPlans(
  before: StoredPlan,
  after: StoredPlan,
): PlanComparison | { mismatch: string } {
  const analyzedBefore = analyzePlan(before.plan);
  const analyzedAfter = analyzePlan(after.plan);
  const mismatch = statementMismatch(analyzedBefore, analyzedAfter);
  if (mismatch) return { mismatch };
  const diff = diffPlans(analyzedBefore, analyzedAfter);
  const side = (p: StoredPlan) => ({
    source: `plan ${p.shapeHash.slice(0, 12)} (first seen ${p.firstSeen.toISOString()})`,
    analyzed: p.plan.analyzed,
    nodes: countNodes(p.plan.root),
    notes: p.plan.notes ?? [],
  });
  return {
    kind: "plan-comparison",
    before: side(before),
    after: side(after),
    verdict: judgeDiff(diff),
    entries: diff.entries,
    plans: { before: before.plan, after: after.plan },
    notes: [],
  };
}
