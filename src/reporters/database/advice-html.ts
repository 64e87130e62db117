/** `dbopt advise` as an HTML page: each recommended index with its DDL, what it saves and the statements it helps. */
import type { AdviceReport } from "../../pipeline/advise-database.js";
import { formatBytes, formatMs, formatPercent } from "../../util/format.js";
import { pairedBarChartSvg } from "../html/bar-chart-svg.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";

export function renderAdviceHtml(report: AdviceReport, now?: Date): string {
  const w = report.workload;
  return htmlPage({
    title: "dbopt advise",
    subject: report.target,
    summary: [
      [
        "Statements costed",
        `${w.statements} (${w.planning.bound} with typical values, ${w.planning.generic} generic, ${w.planning.literal} as written)`,
      ],
      [
        "Measured with",
        report.whatIf === "hypopg" ? "HypoPG hypothetical indexes" : "real indexes on the sandbox",
      ],
      [
        "Recommended",
        `${report.recommendations.length} index${report.recommendations.length === 1 ? "" : "es"}`,
      ],
      [
        "Workload",
        `${formatMs(w.costBefore)} → ${formatMs(w.costAfter)} (${formatPercent(w.improvement, 1)} cheaper)`,
      ],
      [
        "What-if plans",
        `${report.whatIfCalls} (${report.whatIfCacheHits} cached), ${formatMs(report.elapsedMs)}`,
      ],
    ],
    notes: report.notes,
    body: adviceSectionHtml(report, "h2"),
    ...(now ? { now } : {}),
  });
}

/** The advice itself, also placed in the analyze page. */
export function adviceSectionHtml(report: AdviceReport, level: "h2" | "h3" = "h2"): Html {
  const w = report.workload;
  const heading = (text: string) => (level === "h2" ? html`<h2>${text}</h2>` : html`<h3>${text}</h3>`);
  const lead =
    w.statements === 0
      ? "No statement of the workload could be costed, so there is no index advice."
      : report.recommendations.length === 0
        ? "No new index would help this workload enough."
        : `Workload estimated ${formatPercent(w.improvement, 1)} cheaper (${formatMs(w.costBefore)} → ${formatMs(w.costAfter)} of statement time).`;
  const recommendations = report.recommendations.map(
    (
      r,
      i,
    ) => html`<article class="finding info recommendation"><h3>${i + 1}. Index on <code>${r.schema}.${r.table}</code> (${r.method})</h3>
<pre class="sql">${r.ddl}</pre>
${r.requires && r.requires.state !== "installed" ? html`<p>Needs the extension ${r.requires.extension} (${r.requires.state}) first:</p><pre class="sql">${r.requires.ddl}</pre>` : ""}
<p>${r.reason}; ${formatBytes(r.sizeBytes)}; saves about ${formatMs(r.benefitMs)}, costs the writes about ${formatMs(r.writeChargeMs)}${r.breaksHotOn.length ? `; updates of ${r.breaksHotOn.join(", ")} would no longer be HOT` : ""}.</p>
${pairedBarChartSvg(
  r.queries.slice(0, 8).map((q) => ({
    label: q.query,
    before: q.costBefore,
    after: q.costAfter,
    beforeShown: q.costBefore.toFixed(0),
    afterShown: q.costAfter.toFixed(0),
  })),
  {
    id: `advice-${i + 1}-chart`,
    caption: "Planner cost of each statement it helps, now and with the index",
    beforeName: "now",
    afterName: "with the index",
  },
)}
${r.measured?.length ? html`<table><thead><tr><th class="n">measured before</th><th class="n">after</th><th>statement</th></tr></thead><tbody>${r.measured.map((m) => html`<tr><td class="n">${formatMs(m.beforeMs)}</td><td class="n">${formatMs(m.afterMs)}</td><td><code>${m.query}</code></td></tr>`)}</tbody></table>` : ""}
</article>`,
  );
  const drops = report.drops.length
    ? html`${heading("Then drop")}${report.drops.map((d) => html`<pre class="sql">${d.ddl}</pre><p>${d.reason}</p>`)}`
    : "";
  const unmeasured = report.unmeasured.length
    ? html`${heading("Not measured")}${report.unmeasured.map((u) => html`<pre class="sql">${u.ddl}</pre><p>${u.reason}. ${u.why}</p>`)}`
    : "";
  const unplanned = report.unplanned?.length
    ? html`${heading("Statements left out")}<ul>${report.unplanned.map((u) => html`<li><code>${u.query}</code>: ${u.why}${u.hint ? ` (${u.hint})` : ""}</li>`)}</ul>`
    : "";
  const applied = report.apply
    ? html`${heading("Applied")}<table><thead><tr><th>status</th><th>index</th><th>detail</th></tr></thead><tbody>${report.apply.outcomes.map((o) => html`<tr><td>${o.status}</td><td><code>${o.name}</code></td><td>${o.detail ?? ""}${o.cleanup ? html`<pre class="sql">${o.cleanup}</pre>` : ""}</td></tr>`)}</tbody></table>${report.apply.interrupted ? html`<p>Interrupted: ${report.apply.interrupted}</p>` : ""}`
    : "";
  return html`<section id="advice">${heading("Index advice, checked by the planner")}<p>${lead}</p>${recommendations}${drops}${unmeasured}${unplanned}${applied}</section>`;
}
