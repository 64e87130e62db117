/**
 * `dbopt migrate lint --dialect mysql|mariadb --format html`: what each flagged statement takes (algorithm,
 * lock, what it blocks, whether it rebuilds the table) as one table, then the findings in file order with
 * their recipe, in the page shell of the PostgreSQL lint page.
 */
import type { Finding } from "../../findings/finding.js";
import type { MysqlMigrationLintReport } from "../../pipeline/lint-mysql-migrations.js";
import { findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { severityCounts } from "../html/severity-counts.js";

export function renderMysqlMigrationLintHtml(report: MysqlMigrationLintReport, now?: Date): string {
  const server = `${report.dialect === "mysql" ? "MySQL" : "MariaDB"} ${report.serverVersion}`;
  return htmlPage({
    title: "dbopt migrate lint",
    subject: report.files.join(", "),
    server,
    summary: [
      ["Files", `${report.files.length}${report.applied ? ` (${report.applied} read as applied)` : ""}`],
      ["Statements", String(report.statements)],
      ["Judged for", server],
      [
        "Starting schema",
        report.schemaSource === "database"
          ? "the server's tables (with their sizes)"
          : "none given: every table exists, of unknown size",
      ],
      ["Findings", severityCounts(report.findings)],
    ],
    body: html`${ddlTable(report.findings)}${findingsHtml(report.findings)}`,
    ...(now ? { now } : {}),
  });
}

/** One row per flagged statement, in file order: the algorithm and lock the rules found it takes. */
function ddlTable(findings: Finding[]): Html {
  const rows = new Map<string, Finding>();
  for (const f of findings) {
    if (!f.location || f.evidence.algorithm === undefined) continue;
    const at = `${f.location.file}:${f.location.line}:${f.location.column}`;
    if (!rows.has(at)) rows.set(at, f);
  }
  if (!rows.size) return html``;
  const shown = (v: unknown) => (v === null || v === undefined ? "-" : String(v));
  return html`<section id="ddl"><h2>Algorithm and lock of each flagged statement</h2>
<table class="ddl"><thead><tr><th>at</th><th>algorithm</th><th>lock</th><th>blocks</th><th>rebuilds</th><th>operations</th></tr></thead><tbody>${[
    ...rows,
  ].map(
    ([at, f]) =>
      html`<tr class="${f.severity}"><td><code>${at}</code></td><td>${shown(f.evidence.algorithm)}</td><td>${shown(f.evidence.lock)}</td><td>${shown(f.evidence.blocks)}</td><td>${f.evidence.rewrite === true ? "yes" : f.evidence.rewrite === false ? "no" : "-"}</td><td>${shown(f.evidence.operations)}</td></tr>`,
  )}</tbody></table></section>`;
}
