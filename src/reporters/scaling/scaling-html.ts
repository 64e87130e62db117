/** `dbopt advise scaling` as an HTML page: the pool, pooler mode and replica findings with their evidence. */
import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { formatMs, serverName } from "../../util/format.js";
import { findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { ownWriteReads } from "./own-write-sources.js";

export function renderScalingHtml(report: ScalingReport, now?: Date): string {
  const a = report.activity;
  return htmlPage({
    title: "dbopt advise scaling",
    subject: report.server.database,
    server: serverName(report.server.version),
    capturedAt: report.generatedAt,
    summary: [
      ["Samples", `${a.samples}, ${formatMs(a.intervalMs)} apart`],
      ["max_connections", `${a.maxConnections} (${a.reservedConnections} reserved)`],
      ["Statements read", String(report.statementsRead)],
      [
        "Traces",
        report.tracesRead ? `${report.tracesRead.traces} (${report.tracesRead.spans} spans)` : "none",
      ],
      [
        "Logs",
        report.logsRead
          ? `${report.logsRead.files} file${report.logsRead.files === 1 ? "" : "s"}, ${report.logsRead.statements} statements in ${report.logsRead.sessions} sessions`
          : "none",
      ],
    ],
    notes: report.notes,
    body: html`${findingsHtml(report.findings)}${ownWritesHtml(report)}`,
    ...(now ? { now } : {}),
  });
}

/** The reads judged to read their own writes, each with the log lines or trace spans the judgement rests on. */
function ownWritesHtml(report: ScalingReport): Html | null {
  const own = ownWriteReads(report);
  if (!own.length) return null;
  return html`<h2 id="own-writes">Reads of their own writes (kept on the primary)</h2>
<table class="own-writes"><thead><tr><th>Statement</th><th>Runs after its own write</th><th>Where (first runs, and the write each followed)</th></tr></thead><tbody>${own.map(
    (r) =>
      html`<tr><td><code>${r.query}</code></td><td>${r.runs}</td><td>${r.sources.length ? html`<ul class="sources">${r.sources.map((s) => html`<li><code>${s}</code></li>`)}</ul>` : "not kept"}</td></tr>`,
  )}</tbody></table>`;
}
