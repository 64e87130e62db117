/** `dbopt check` (PostgreSQL, MySQL, MariaDB) as an HTML page: the ranked findings with evidence and fixes. */
import type { CheckReport } from "../../pipeline/check-report.js";
import { serverName } from "../../util/format.js";
import { findingsHtml } from "../html/findings-html.js";
import { htmlPage } from "../html/page-shell.js";
import { severityCounts } from "../html/severity-counts.js";

export function renderCheckHtml(report: CheckReport, now?: Date): string {
  const age =
    report.statsAgeSeconds === null ? "unknown" : `${(report.statsAgeSeconds / 86_400).toFixed(1)} days`;
  return htmlPage({
    title: "dbopt check",
    subject: report.target,
    server: serverName(report.server.version),
    capturedAt: report.capturedAt,
    summary: [
      ["Database", report.server.database],
      ["Statistics collecting for", age],
      ["Findings", severityCounts(report.findings)],
    ],
    notes: report.notes,
    body: findingsHtml(report.findings),
    ...(now ? { now } : {}),
  });
}
