import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { formatMs, serverName } from "../../util/format.js";
import { foldedFindings, summaryLines } from "../markdown/findings-markdown.js";

/** `dbopt advise scaling` in Markdown: the summary first, the findings folded below. */
export function renderScalingMarkdown(report: ScalingReport): string {
  const a = report.activity;
  return `${[
    `## dbopt advise scaling: ${report.server.database} (${serverName(report.server.version)})`,
    "",
    `${a.samples} pg_stat_activity samples ${formatMs(a.intervalMs)} apart, ${report.statementsRead} statements${report.tracesRead ? `, ${report.tracesRead.traces} traces` : ""}.`,
    "",
    ...summaryLines(report.findings),
    ...foldedFindings(report.findings),
    ...(report.notes.length ? ["**Notes**", "", ...report.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n")}\n`;
}
