/**
 * `dbopt migrate trace --db mysql://… --sandbox --format html`: statement by statement, each online form tried
 * (the exact statement sent) with the server's answer, what finally ran and how long it took, and the lint
 * findings with the trace's verdict; then the findings in full. The page shell and look of the PostgreSQL trace.
 */
import type { Finding } from "../../findings/finding.js";
import type {
  MysqlMigrationTraceReport,
  MysqlTracedStatement,
} from "../../pipeline/trace-mysql-migrations.js";
import { findingHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";

export function renderMysqlTraceHtml(report: MysqlMigrationTraceReport, now?: Date): string {
  const count = (v: string) => report.findings.filter((f) => f.evidence.trace === v).length;
  const online = report.statements.filter((t) => t.accepted !== null).length;
  const blocking = report.statements.filter((t) => t.ranAsWritten && !t.error).length;
  return htmlPage({
    title: "dbopt migrate trace",
    subject: report.files.join(", "),
    server: `${report.server} (sandbox ${report.database})`,
    summary: [
      ["Statements traced", String(report.statements.length)],
      ["Failed", String(report.statements.filter((t) => t.error).length)],
      ["Ran online", `${online} accepted an online algorithm`],
      ["Blocked writes", `${blocking} accepted no online form and ran as written`],
      [
        "Static findings",
        `${count("confirmed")} confirmed by the server, ${count("contradicted")} contradicted`,
      ],
    ],
    body: html`<section id="statements"><h2>Statement by statement</h2>${report.statements.map((t) =>
      statementHtml(
        t,
        report.findings.filter((f) => f.location?.file === t.file && f.location?.line === t.line),
      ),
    )}</section>${report.findings.length ? html`<section id="findings"><h2>The static findings</h2>${report.findings.map((f) => findingHtml(f))}</section>` : ""}`,
    ...(now ? { now } : {}),
  });
}

function statementHtml(t: MysqlTracedStatement, byThis: Finding[]): Html {
  const severity = t.error
    ? "error"
    : t.ranAsWritten || byThis.some((f) => f.evidence.trace === "confirmed")
      ? "warning"
      : "info";
  return html`<article class="finding ${severity} statement">
<h3><code>${t.file}:${t.line}</code> <span class="muted">${t.durationMs.toFixed(1)} ms</span></h3>
<pre class="query">${t.sql}</pre>
${t.attempts.length ? attemptsTable(t) : ""}
<p class="outcome">${outcome(t)}</p>
<p class="predicted muted">Lint predicted: ${predicted(t)}</p>
${byThis.map((f) => html`<p class="verdict"><strong>${String(f.evidence.trace ?? "not traced")}</strong>: ${f.title} <span class="rule">${f.ruleId}</span></p>`)}
</article>`;
}

/** Each online form in the order tried: the statement sent and the server's answer in its own words. */
function attemptsTable(t: MysqlTracedStatement): Html {
  return html`<table class="attempts"><thead><tr><th>algorithm</th><th>answer</th><th>statement sent</th></tr></thead><tbody>${t.attempts.map(
    (a) =>
      html`<tr class="${a.accepted ? "accepted" : "refused"}"><td>${a.algorithm}</td><td>${a.accepted ? html`<strong>accepted</strong>` : html`refused: ${a.error ?? ""}`}</td><td><code>${a.sql}</code></td></tr>`,
  )}</tbody></table>`;
}

function outcome(t: MysqlTracedStatement): Html {
  if (t.error)
    return html`<strong>Failed${t.refusedAsWritten ? " (its own ALGORITHM/LOCK refused)" : ""}:</strong> ${t.error}`;
  if (t.accepted) return html`Ran online with ALGORITHM=${t.accepted}.`;
  if (t.ranAsWritten)
    return html`<strong>No online form accepted:</strong> ran as written, writes blocked meanwhile.`;
  return html`Ran as written (no online form to try: not an ALTER, or a partition or rename clause).`;
}

function predicted(t: MysqlTracedStatement): string {
  if (t.predicted === null) return "nothing (not an ALTER, or an operation the tables do not cover)";
  return t.predictedOnline
    ? `ALGORITHM=${t.predicted} with LOCK=NONE`
    : `ALGORITHM=${t.predicted}, not with LOCK=NONE: writes wait`;
}
