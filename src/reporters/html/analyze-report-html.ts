/** `dbopt analyze` as an HTML page: where the time goes (top statements, drawn), the ranked findings, index advice. */
import type { AnalyzeReport } from "../../pipeline/analyze-report.js";
import { formatCount, formatMs, formatPercent, serverName } from "../../util/format.js";
import { adviceSectionHtml } from "./advice-report-html.js";
import { barChartSvg } from "./bar-chart-svg.js";
import { findingsHtml } from "./findings-html.js";
import { html } from "./html-text.js";
import { htmlPage } from "./page-shell.js";
import { severityCounts } from "./severity-counts.js";

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
    body: html`${statements}${findingsHtml(report.findings)}${report.advice ? adviceSectionHtml(report.advice) : ""}`,
    ...(now ? { now } : {}),
  });
}
