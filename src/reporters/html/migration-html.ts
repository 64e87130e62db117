/** `dbopt migrate lint` and `migrate trace` as HTML pages: findings in file order with the safe recipe, and what the trace saw. */
import type { MigrationLintReport } from "../../pipeline/lint-migrations.js";
import type { MigrationTraceReport } from "../../pipeline/migration-trace.js";
import { findingHtml, findingsHtml } from "./findings-html.js";
import { html } from "./html-text.js";
import { htmlPage } from "./page-shell.js";
import { severityCounts } from "./severity-counts.js";

export function renderMigrationLintHtml(report: MigrationLintReport, now?: Date): string {
  return htmlPage({
    title: "dbopt migrate lint",
    subject: report.files.join(", "),
    summary: [
      ["Files", `${report.files.length}${report.applied ? ` (${report.applied} read as applied)` : ""}`],
      ["Statements", String(report.statements)],
      ["PostgreSQL", String(report.pgVersion)],
      [
        "Starting schema",
        {
          dump: "a schema dump",
          database: "a database (with table sizes)",
          none: "none given: every table exists",
        }[report.schemaSource],
      ],
      ["Findings", severityCounts(report.findings)],
    ],
    body: findingsHtml(report.findings),
    ...(now ? { now } : {}),
  });
}

export function renderMigrationTraceHtml(report: MigrationTraceReport, now?: Date): string {
  const count = (v: string) => report.findings.filter((f) => f.evidence.trace === v).length;
  const statements = report.statements.map((t) => {
    const byThis = report.findings.filter((f) => f.location?.file === t.file && f.location?.line === t.line);
    const locks = t.locks
      ? t.locks.length
        ? t.locks.map((l) => `${l.mode} on ${l.table}`).join(", ")
        : "none on existing tables"
      : "not seen (ran outside a transaction and ended first)";
    return html`<article class="finding ${t.error ? "error" : byThis.some((f) => f.evidence.trace === "confirmed") ? "warning" : "info"} statement">
<h3><code>${t.file}:${t.line}</code> <span class="muted">${t.durationMs.toFixed(1)} ms, ${t.mode === "alone" ? "outside a transaction" : "in its own transaction"}</span></h3>
<pre class="query">${t.sql}</pre>
${t.error ? html`<p><strong>Failed:</strong> ${t.error}</p>` : html`<p>Locks: ${locks}${t.rewritten.length ? html`; <strong>rewrote ${t.rewritten.join(", ")}</strong>` : ""}</p>`}
${byThis.map((f) => html`<p class="verdict"><strong>${String(f.evidence.trace ?? "not traced")}</strong>: ${f.title} <span class="rule">${f.ruleId}</span></p>`)}
</article>`;
  });
  return htmlPage({
    title: "dbopt migrate trace",
    subject: report.files.join(", "),
    server: `${report.server} (PostgreSQL ${report.pgVersion})`,
    summary: [
      ["Statements traced", String(report.statements.length)],
      ["Failed", String(report.statements.filter((t) => t.error).length)],
      [
        "Static findings",
        `${count("confirmed")} confirmed by the trace, ${count("contradicted")} contradicted`,
      ],
    ],
    body: html`<section id="statements"><h2>Statement by statement</h2>${statements}</section>${report.findings.length ? html`<section id="findings"><h2>The static findings</h2>${report.findings.map((f) => findingHtml(f))}</section>` : ""}`,
    ...(now ? { now } : {}),
  });
}
