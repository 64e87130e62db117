/** `dbopt traces` as an HTML page: N+1 patterns found in OpenTelemetry spans, and statements by total time. */
import type { TraceReport } from "../../pipeline/analyze-traces.js";
import { formatCount, formatMs } from "../../util/format.js";
import { barChartSvg } from "./bar-chart-svg.js";
import { html } from "./html-text.js";
import { htmlPage } from "./page-shell.js";

export function renderTraceHtml(report: TraceReport, options: { top?: number; now?: Date } = {}): string {
  const statements = report.statements.slice(0, options.top ?? 15);
  const nPlusOne = html`<section id="n-plus-one"><h2>N+1 patterns (${report.nPlusOne.length})</h2>${
    report.nPlusOne.length
      ? report.nPlusOne.map(
          (
            n,
          ) => html`<article class="finding ${n.severity}"><h3><span class="severity ${n.severity}">${n.severity}</span>${n.repeated.query}</h3>
<p>Under <code>${n.parent ?? "(root spans)"}</code>${n.service ? html` in <code>${n.service}</code>` : ""}: repeated ${n.repeats.min}–${n.repeats.max} times (median ${n.repeats.median})${n.source ? html` after <code>${n.source.query}</code>` : ""}, in ${formatCount(n.occurrences)} requests (${formatCount(n.concurrent)} concurrently); ${formatMs(n.totalMs)} of database time over ${formatMs(n.wallMs)}, about ${formatMs(n.wastedMs)} wasted.</p>
${n.examples.length ? html`<pre class="query">${n.examples.slice(0, 3).join("\n")}</pre>` : ""}
${n.rewrite ? html`<p class="note"><strong>Fix:</strong> one statement for the whole loop:</p><pre class="sql">${n.rewrite}</pre>` : ""}
${n.exampleTraceIds.length ? html`<p class="muted">traces: ${n.exampleTraceIds.slice(0, 3).join(", ")}</p>` : ""}</article>`,
        )
      : html`<p class="muted">No N+1 pattern.</p>`
  }</section>`;
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
    body: html`${nPlusOne}${table}`,
    ...(options.now ? { now: options.now } : {}),
  });
}
