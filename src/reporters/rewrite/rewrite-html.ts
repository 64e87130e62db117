/** `dbopt rewrite` as an HTML page: per statement, each rewrite's verdict, proof, timings and SQL. */
import type { RewriteReport } from "../../pipeline/rewrite-statements.js";
import { type Html, html, safeHref } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { PROVEN_MEANS, proofLine, tally, timingLine, verdictLine } from "./rewrite-lines.js";

export function renderRewriteHtml(report: RewriteReport, now?: Date): string {
  const t = tally(report);
  const sections: Html[] = report.statements.map((s, i) => {
    const rewrites = s.rewrites.map((r) => {
      const kind =
        r.verdict === "faster" ? "info" : r.verdict === "refused: results differ" ? "error" : "warning";
      const href = safeHref(r.docsUrl);
      return html`<article class="finding ${kind}"><h3>${r.summary} <span class="rule">${r.ruleId}</span></h3>
<p><strong>${verdictLine(r)}</strong>. ${proofLine(r)}.</p>${timingLine(r) ? html`<p>${timingLine(r)}</p>` : ""}
<p>${r.why}</p>${r.assumptions.length ? html`<ul>${r.assumptions.map((a) => html`<li>assumes: ${a}</li>`)}</ul>` : ""}
${r.verdict !== "refused: results differ" ? html`<pre class="sql">${r.sql}</pre>` : ""}${href ? html`<p><a href="${href}">${r.title}</a></p>` : ""}</article>`;
    });
    return html`<section id="statement-${i + 1}"><h2>Statement ${i + 1}</h2><pre>${s.sql}</pre>
${s.parameters ? html`<p class="muted">parameters: ${s.parameters}</p>` : ""}${s.problem ? html`<p class="muted">${s.problem}</p>` : s.rewrites.length ? rewrites : html`<p class="muted">No rule applies.</p>`}</section>`;
  });
  return htmlPage({
    title: "dbopt rewrite",
    subject: report.target,
    server: report.server.version,
    capturedAt: report.capturedAt,
    summary: [
      ["Statements", String(t.statements)],
      ["Proven faster (offered)", String(t.offered)],
      ["Equivalent, not faster", String(t.equivalent)],
      ["Refused: results differ", String(t.refused)],
      ["Not proven", String(t.unproven)],
      ["Sandbox", report.sandbox ? "yes" : "no"],
    ],
    notes: [...report.notes, PROVEN_MEANS],
    body: html`${sections}`,
    ...(now ? { now } : {}),
  });
}
