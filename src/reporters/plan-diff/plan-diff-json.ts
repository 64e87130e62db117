/** The plan comparison for programs: the report as it is, each entry with its figure changes added. */
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { entryFigures } from "./diff-columns.js";

export function renderPlanComparisonJson(given: PlanComparison): string {
  // The plans themselves are for pictures; the entries carry every figure of both.
  const { plans: _plans, ...report } = given;
  const entries = report.entries.map((entry) => ({
    ...entry,
    figures: entryFigures(entry, report.verdict.measure).map(({ name, before, after, delta }) => ({
      name,
      before,
      after,
      delta,
    })),
  }));
  // Entries are a flat list (parent by index), so a plan of any depth prints without deep nesting.
  return `${JSON.stringify({ ...report, entries }, null, 2)}\n`;
}
