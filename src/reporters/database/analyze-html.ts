/**
 * `dbopt analyze` as an HTML page: where the time goes (top statements, drawn), each statement's plan as a picture
 * coloured by its findings, the ranked findings, index advice.
 */
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import type { AnalyzeReport, StatementReport } from "../../pipeline/analyze-report.js";
import { formatCount, formatMs, formatPercent, oneLine, serverName } from "../../util/format.js";
import { barChartSvg } from "../html/bar-chart-svg.js";
import { findingsHtml } from "../html/findings-html.js";
import { html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { planPictureHtml } from "../html/plan-picture-html.js";
import { severityCounts } from "../html/severity-counts.js";
import { adviceSectionHtml } from "./advice-html.js";

export function renderAnalyzeHtml(report: AnalyzeReport, now?: Date): string {
  const w = report.workload;
  const statements = html`<section id="statements"><h2>Top statements by total time</h2>
${barChartSvg(
  report.statements.map((s) => ({
    label: s.query,
    value: s.totalMs,
    shown: `${formatMs(s.totalMs)} (${formatPercent(s.share)})`,
  })),
  { id: "statements-chart", caption: "Total time of each statement over the statistics period" },
)}
<table><thead><tr><th class="n">total</th><th class="n">share</th><th class="n">calls</th><th class="n">mean</th><th class="n">findings</th><th>statement</th></tr></thead><tbody>
${report.statements.map(
  (s) =>
    html`<tr><td class="n">${formatMs(s.totalMs)}</td><td class="n">${formatPercent(s.share)}</td><td class="n">${formatCount(s.calls)}</td><td class="n">${formatMs(s.meanMs)}</td><td class="n">${s.findings.length}</td><td><code>${s.query}</code>${s.skipped ? html` <span class="muted">(${s.skipped})</span>` : ""}</td></tr>`,
)}</tbody></table></section>`;
  return htmlPage({
    title: "dbopt analyze",
    subject: report.target,
    server: serverName(report.server.version),
    capturedAt: report.capturedAt,
    summary: [
      ["Database", report.server.database],
      ["Statement time", `${formatMs(w.totalMs)}${w.statsResetAt ? ` since ${w.statsResetAt}` : ""}`],
      [
        "Statements",
        `${formatCount(w.statementsSeen)} seen in ${w.source}, ${formatCount(w.statementsExplained)} explained`,
      ],
      ["Findings", severityCounts(report.findings)],
      ["Index advice", report.advice ? `${report.advice.recommendations.length} recommended` : "not run"],
    ],
    notes: report.notes,
    body: html`${statements}${plansHtml(report.statements)}${findingsHtml(report.findings)}${report.advice ? adviceSectionHtml(report.advice) : ""}`,
    ...(now ? { now } : {}),
  });
}

const PLAN_KIND: Record<NonNullable<StatementReport["planMethod"]>, string> = {
  generic: "generic plan",
  "prepared-generic": "generic plan",
  analyze: "plan as run (EXPLAIN ANALYZE)",
  estimate: "estimated plan",
};

/** The plan of each statement that has one, in the statements' order (by total time). */
function plansHtml(statements: readonly StatementReport[]) {
  const planned = statements.flatMap((s, i) => (s.planTree ? [{ s, tree: s.planTree, n: i + 1 }] : []));
  if (!planned.length) return "";
  return html`<section id="plans"><h2>Plans of the top statements</h2>
<p class="muted">Each node's box is sized by its own share of the plan's cost (its time when the plan was run) and coloured by the worst finding on it.</p>
${planned.map(
  ({ s, tree, n }) => html`<h3>${n}. <code>${oneLine(s.query, 120)}</code></h3>
<p class="muted">${formatMs(s.totalMs)} in ${formatCount(s.calls)} calls (${formatPercent(s.share)} of statement time); ${PLAN_KIND[s.planMethod ?? "generic"]}, ${s.findings.length} finding${s.findings.length === 1 ? "" : "s"}</p>
${planPictureHtml(analyzePlan(tree), s.findings, `plan-${n}`)}`,
)}</section>`;
}
