/** `dbopt explain` as an HTML page: the plan drawn, the plan as a table, the findings with their fixes. */
import type { PlanReport } from "../../pipeline/plan-report.js";
import { formatCount, formatMs } from "../../util/format.js";
import { findingsHtml } from "../html/findings-html.js";
import { html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { planPictureHtml } from "../html/plan-picture-html.js";
import { planTreeHtml } from "../html/plan-tree-html.js";

export function renderPlanHtml(report: PlanReport, now?: Date): string {
  const s = report.summary;
  const flagged = new Set(report.findings.flatMap((f) => (f.nodeId === undefined ? [] : [f.nodeId])));
  const summary: Array<[string, string]> = [
    ["Plan", s.analyzed ? "run (EXPLAIN ANALYZE)" : "estimated (not run)"],
    s.analyzed
      ? ["Execution", `${formatMs(s.executionTimeMs)} (planning ${formatMs(s.planningTimeMs)})`]
      : ["Estimated cost", String(s.totalCost ?? "-")],
    ["Nodes", formatCount(s.nodes)],
    ["Rows", formatCount(s.rows)],
    ["Findings", String(report.findings.length)],
  ];
  if (s.triggerTimeMs !== null) summary.push(["Triggers", formatMs(s.triggerTimeMs)]);
  if (s.jitTimeMs !== null) summary.push(["JIT", formatMs(s.jitTimeMs)]);
  const body = html`${report.sql ? html`<h2>Statement</h2><pre class="query" id="statement">${report.sql}</pre>` : ""}
<section id="plan"><h2>Plan</h2>${planPictureHtml(report.analyzed, report.findings)}${planTreeHtml(report.analyzed, flagged)}</section>
${findingsHtml(report.findings)}`;
  return htmlPage({
    title: "dbopt explain",
    subject: `plan from ${report.source}`,
    summary,
    notes: report.notes ?? [],
    body,
    ...(now ? { now } : {}),
  });
}
