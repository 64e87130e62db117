/** `dbopt traces` as an HTML page: N+1 patterns found in OpenTelemetry spans, and statements by total time. */
import type { TraceReport } from "../../pipeline/analyze-traces.js";
import { formatCount, formatMs } from "../../util/format.js";
import { barChartSvg } from "../html/bar-chart-svg.js";
import { findingsHtml } from "../html/findings-html.js";
import { html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";

export function renderTraceHtml(report: TraceReport, options: { top?: number; now?: Date } = {}): string {
  const statements = report.statements.slice(0, options.top ?? 15);
  // N+1 patterns are findings of the rule workload/n-plus-one, each with its account and the batched statement.
  const findings = findingsHtml(report.findings, { heading: "Findings" });
  const table = statements.length
    ? html`<section id="statements"><h2>Statements by total time</h2>${barChartSvg(
        statements.map((s) => ({ label: s.query, value: s.totalMs, shown: formatMs(s.totalMs) })),
        { id: "statements-chart", caption: "Database time of each statement in the traces" },
      )}<table><thead><tr><th class="n">total</th><th class="n">calls</th><th class="n">mean</th><th class="n">p95</th><th>statement</th></tr></thead><tbody>${statements.map(
        (s) =>
          html`<tr><td class="n">${formatMs(s.totalMs)}</td><td class="n">${formatCount(s.calls)}</td><td class="n">${formatMs(s.meanMs)}</td><td class="n">${formatMs(s.p95Ms)}</td><td><code>${s.query}</code></td></tr>`,
      )}</tbody></table></section>`
    : "";
  return htmlPage({
    title: "dbopt traces",
    subject: report.files.join(", "),
    summary: [
      [
        "Spans",
        `${formatCount(report.spans)} in ${formatCount(report.traces)} traces, ${formatCount(report.dbSpans)} database spans`,
      ],
      ["Databases", report.systems.join(", ") || "-"],
      ["N+1 patterns", String(report.nPlusOne.length)],
      ["Read in", `${report.seconds.toFixed(2)} s`],
    ],
    body: html`${findings}${table}`,
    ...(options.now ? { now: options.now } : {}),
  });
}
