/** `dbopt advise scaling` as an HTML page: the pool, pooler mode and replica findings with their evidence. */
import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { formatMs, serverName } from "../../util/format.js";
import { findingsHtml } from "./findings-html.js";
import { htmlPage } from "./page-shell.js";

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
    ],
    notes: report.notes,
    body: findingsHtml(report.findings),
    ...(now ? { now } : {}),
  });
}
