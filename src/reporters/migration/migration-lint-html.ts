/** `dbopt migrate lint` as an HTML page: findings in file order with the safe recipe. */
import type { MigrationLintReport } from "../../pipeline/lint-migrations.js";
import { findingsHtml } from "../html/findings-html.js";
import { htmlPage } from "../html/page-shell.js";
import { severityCounts } from "../html/severity-counts.js";

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
