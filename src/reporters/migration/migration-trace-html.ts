/** `dbopt migrate trace` as an HTML page: what the trace saw of each statement, and the findings it confirmed or contradicted. */
import type { MigrationTraceReport } from "../../pipeline/trace-migrations.js";
import { formatFactor } from "../../util/format.js";
import { pairedBarChartSvg } from "../html/bar-chart-svg.js";
import { findingHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";

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
      [
        "Workload re-planned",
        `${(report.replanned ?? []).filter((r) => r.worse).length} of ${(report.replanned ?? []).length} statements worse`,
      ],
    ],
    body: html`<section id="statements"><h2>Statement by statement</h2>${statements}</section>${replannedHtml(report)}${report.findings.length ? html`<section id="findings"><h2>The static findings</h2>${report.findings.map((f) => findingHtml(f))}</section>` : ""}`,
    ...(now ? { now } : {}),
  });
}

/** The workload planned on the schema before and after the migrations: costs drawn, the worse ones explained. */
function replannedHtml(report: MigrationTraceReport): Html {
  const replanned = report.replanned ?? [];
  const cost = (v: number | null) => (v === null ? "-" : v.toFixed(0));
  const chart = pairedBarChartSvg(
    replanned
      .filter((r) => r.costBefore !== null && r.costAfter !== null && r.changed)
      .slice(0, 10)
      .map((r) => ({
        label: r.sql,
        before: r.costBefore ?? 0,
        after: r.costAfter ?? 0,
        beforeShown: cost(r.costBefore),
        afterShown: `${cost(r.costAfter)}${r.factor !== null ? ` (${formatFactor(r.factor)})` : ""}`,
      })),
    {
      id: "replan-chart",
      caption: "Planner cost of the statements whose plan changed",
      beforeName: "before the migrations",
      afterName: "after",
    },
  );
  return html`<section id="replanned"><h2>Workload re-planned before and after the migrations</h2><p>${report.replanSource}</p>${chart}
${
  replanned.length
    ? html`<table><thead><tr><th class="n">cost before</th><th class="n">after</th><th>plan</th><th>statement</th></tr></thead><tbody>${replanned.map(
        (r) =>
          html`<tr${r.worse ? html` class="changed"` : ""}><td class="n">${cost(r.costBefore)}</td><td class="n">${cost(r.costAfter)}</td><td>${r.error ? html`<strong>${r.error}</strong>` : r.changed ? html`${r.planBefore ?? ""} ⇒ ${r.planAfter ?? ""}${r.divergesAt ? html`<div class="muted">diverge at ${r.divergesAt}${r.why.length ? `: ${r.why.join("; ")}` : ""}</div>` : ""}${r.indexesLost.length ? html`<div>no longer uses ${r.indexesLost.join(", ")}</div>` : ""}` : "unchanged"}</td><td><code>${r.sql}</code></td></tr>`,
      )}</tbody></table>`
    : ""
}</section>`;
}
