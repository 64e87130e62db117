import { nodeLabel } from "../../facts/plan/node-label.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { AdviceReport } from "../../pipeline/advise-database.js";
import type { AnalyzeReport } from "../../pipeline/analyze-report.js";
import type { CheckReport } from "../../pipeline/check-report.js";
import type { PlanReport } from "../../pipeline/plan-report.js";
import type { TuneReport } from "../../pipeline/tune-settings.js";
import { stringifyJson } from "../../util/json-text.js";

/** Deeper plans are written on one line: indentation grows with the square of the depth (378 MB at 2,000). */
const MAX_INDENTED_DEPTH = 100;

export type Report = PlanReport | AnalyzeReport | CheckReport | TuneReport | AdviceReport;

/** Machine-readable output: the same report, with the plan as a tree whose nodes carry their metrics. */
export function renderJson(report: Report): string {
  // analyze's statements carry their plan trees: JSON.stringify would recurse down them.
  if (report.kind !== "plan") return `${stringifyJson(report, 2)}\n`;
  const { analyzed } = report;
  const one = (n: PlanNode): Record<string, unknown> => ({
    id: n.id,
    label: nodeLabel(n),
    nodeType: n.nodeType,
    role: n.role,
    subplanName: n.subplanName,
    parallelAware: n.parallelAware,
    details: n.details,
    relationName: n.relationName,
    schema: n.schema,
    alias: n.alias,
    indexName: n.indexName,
    cost: n.cost,
    planRows: n.planRows,
    planWidth: n.planWidth,
    actual: n.actual ?? null,
    neverExecuted: n.actual === null,
    buffers: n.buffers,
    ioTimings: n.ioTimings,
    workers: n.workers,
    props: n.props,
    metrics: analyzed.metrics[n.id],
    children: [] as unknown[],
  });
  // Built with an explicit stack: a plan thousands of levels deep costs no call stack.
  let depth = 0;
  const node = (root: PlanNode): unknown => {
    const top = one(root);
    const stack: Array<[PlanNode, Record<string, unknown>, number]> = [[root, top, 1]];
    for (let entry = stack.pop(); entry; entry = stack.pop()) {
      const [n, out, level] = entry;
      depth = Math.max(depth, level);
      for (const child of n.children) {
        const converted = one(child);
        (out.children as unknown[]).push(converted);
        stack.push([child, converted, level + 1]);
      }
    }
    return top;
  };
  const { plan } = analyzed;
  const out = {
    source: report.source,
    sql: report.sql,
    summary: { ...report.summary, triggers: plan.triggers, jit: plan.jit, settings: plan.settings },
    plan: node(plan.root),
    findings: report.findings,
    ...(report.notes?.length ? { notes: report.notes } : {}),
  };
  // JSON.stringify recurses and overflows on a plan thousands of levels deep.
  return `${stringifyJson(out, depth > MAX_INDENTED_DEPTH ? 0 : 2)}\n`;
}
