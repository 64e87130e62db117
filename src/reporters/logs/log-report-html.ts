/** `dbopt logs` as an HTML page: statements by total time (drawn), N+1 loops with their rewrite, events, PgBouncer. */
import type { LogReport } from "../../pipeline/analyze-logs.js";
import { formatBytes, formatCount, formatMs } from "../../util/format.js";
import { barChartSvg } from "../html/bar-chart-svg.js";
import { findingHtml, findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { timeSeriesSvg } from "../html/time-series-svg.js";

const when = (t: number | null) =>
  t === null ? "?" : new Date(t).toISOString().replace("T", " ").slice(0, 19);

export function renderLogHtml(report: LogReport, options: { top?: number; now?: Date } = {}): string {
  const top = options.top ?? 15;
  const bytes = report.files.reduce((s, f) => s + f.bytes, 0);
  const messages = report.files.reduce((s, f) => s + f.records, 0);
  const statements = report.statements.slice(0, top);
  const rowsCounted = statements.some((s) => s.rowsExamined !== null);
  const notes = [
    ...report.files
      .filter((f) => f.skipped > 0)
      .map(
        (f) =>
          `${formatCount(f.skipped)} lines of ${f.name} did not read as log messages and were skipped; the first: ${f.firstSkipped ?? ""}`,
      ),
    ...report.files
      .filter((f) => f.newestFirst)
      .map((f) => `${f.name} runs newest first: multi-line messages and N+1 loops are read out of order`),
    ...(report.statementCount === 0 && report.files.some((f) => f.format !== "pgbouncer")
      ? ["No statement durations in this log: set log_min_duration_statement (0 logs every statement)."]
      : []),
  ];
  const table = statements.length
    ? html`<section id="statements"><h2>Statements by total time</h2>
${barChartSvg(
  statements.map((s) => ({
    label: s.query,
    value: s.totalMs,
    shown: `${formatMs(s.totalMs)} (${(100 * s.share).toFixed(1)}%)`,
  })),
  { id: "statements-chart", caption: "Logged time of each statement shape" },
)}
<table><thead><tr><th class="n">total</th><th class="n">share</th><th class="n">calls</th><th class="n">mean</th><th class="n">p95</th><th class="n">max</th>${rowsCounted ? html`<th class="n">examined/sent</th>` : ""}<th>statement</th></tr></thead><tbody>
${statements.map((s) => html`<tr><td class="n">${formatMs(s.totalMs)}</td><td class="n">${(100 * s.share).toFixed(1)}%</td><td class="n">${formatCount(s.calls)}</td><td class="n">${formatMs(s.meanMs)}</td><td class="n">${formatMs(s.p95Ms)}</td><td class="n">${formatMs(s.maxMs)}</td>${rowsCounted ? html`<td class="n">${formatCount(s.rowsExamined ?? 0)}/${formatCount(s.rowsSent ?? 0)}</td>` : ""}<td><code>${s.query}</code>${s.example.durationMs !== null ? html`<div class="muted">slowest: ${formatMs(s.example.durationMs)}${s.users[0] ? ` by ${s.users[0]}` : ""}${s.databases[0] ? `@${s.databases[0]}` : ""}, ${when(s.firstSeen) === when(s.lastSeen) ? `at ${when(s.firstSeen)}` : `seen ${when(s.firstSeen)} to ${when(s.lastSeen)}`}</div>` : ""}</td></tr>`)}
</tbody></table></section>`
    : "";
  // N+1 loops are findings of the rule workload/n-plus-one, each with its account and the batched statement.
  const findings = findingsHtml(report.findings, { heading: "Findings" });
  return htmlPage({
    title: "dbopt logs",
    subject: report.files.map((f) => f.name).join(", "),
    summary: [
      [
        "Files",
        report.files
          .map((f) => `${f.name} (${f.format}${f.prefix ? `, prefix '${f.prefix}'` : ""})`)
          .join(", "),
      ],
      ["Read", `${formatBytes(bytes)}, ${formatCount(messages)} messages in ${report.seconds.toFixed(2)} s`],
      ["Period", `${when(report.period.first)} to ${when(report.period.last)}`],
      [
        "Statements",
        `${formatCount(report.statementCount)}, ${formatMs(report.totalMs)} in all, ${report.statements.length} distinct`,
      ],
      ["N+1 loops", String(report.nPlusOne.length)],
    ],
    notes,
    body: html`${overTime(report)}${findings}${table}${slowestPlans(report)}${events(report)}`,
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Statements and their logged time per minute (or wider periods for a long log). */
function overTime(report: LogReport): Html | "" {
  const minutes = report.perMinute ?? [];
  if (minutes.length < 2) return "";
  return html`<section id="over-time"><h2>Over time</h2>${timeSeriesSvg(
    minutes.map((m) => ({ at: m.minute, value: m.statements })),
    { id: "statements-per-minute", caption: "Statements logged", unit: "statements", show: formatCount },
  )}${timeSeriesSvg(
    minutes.map((m) => ({ at: m.minute, value: m.totalMs })),
    {
      id: "time-per-minute",
      caption: "Logged statement time",
      unit: "time",
      show: formatMs,
      colour: "#d92d20",
    },
  )}</section>`;
}

function slowestPlans(report: LogReport): Html | "" {
  const planned = report.slowestPlans.filter((p) => p.findings.length);
  if (!planned.length) return "";
  return html`<section id="plans"><h2>In the slowest auto_explain plans</h2>${planned.map(
    (p) =>
      html`<h3>${formatMs(p.durationMs)}</h3>${p.sql ? html`<pre class="query">${p.sql}</pre>` : ""}${p.findings.map((f) => findingHtml(f))}`,
  )}</section>`;
}

function events(report: LogReport): Html | "" {
  const e = report.events;
  const rows: Array<[string, string]> = [];
  if (e.errors.length)
    rows.push([
      "Errors",
      `${e.errors.reduce((s, x) => s + x.count, 0)}: ${e.errors
        .slice(0, 5)
        .map((x) => `${x.count}× ${x.sqlstate ? `${x.sqlstate} ` : ""}${x.message}`)
        .join("; ")}`,
    ]);
  if (e.lockWaits.count)
    rows.push([
      "Lock waits",
      `${e.lockWaits.count}, longest ${formatMs(e.lockWaits.maxMs)} (${Object.entries(e.lockWaits.byMode)
        .map(([m, n]) => `${n}× ${m}`)
        .join(", ")})`,
    ]);
  if (e.deadlocks) rows.push(["Deadlocks", String(e.deadlocks)]);
  if (e.tempFiles.count)
    rows.push([
      "Temp files",
      `${e.tempFiles.count}, ${formatBytes(e.tempFiles.totalBytes)} in all, largest ${formatBytes(e.tempFiles.maxBytes)}`,
    ]);
  if (e.checkpoints.count)
    rows.push([
      "Checkpoints",
      `${e.checkpoints.count} (${Object.entries(e.checkpoints.byReason)
        .map(([r, n]) => `${n} ${r}`)
        .join(", ")}), longest ${e.checkpoints.maxSeconds} s`,
    ]);
  if (e.autovacuum.vacuums + e.autovacuum.analyzes)
    rows.push(["Autovacuum", `${e.autovacuum.vacuums} vacuums, ${e.autovacuum.analyzes} analyzes`]);
  if (report.plans) rows.push(["auto_explain plans", String(report.plans)]);
  const b = report.pgbouncer;
  if (b) {
    rows.push([
      "PgBouncer logins",
      `${formatCount(b.logins)} from ${formatCount(b.clients)} client addresses; ${formatCount(b.serverConnections)} server connections opened`,
    ]);
    for (const err of b.errors.slice(0, 6))
      rows.push([`PgBouncer ${err.level.toLowerCase()}`, `${formatCount(err.count)}× ${err.message}`]);
  }
  if (!rows.length) return "";
  return html`<section id="events"><h2>Also in the log</h2><table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table></section>`;
}
