import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { serverName } from "../../util/format.js";
import { foldedFindings, summaryLines } from "../markdown/findings-markdown.js";
import { scalingSources } from "./scaling-sources.js";

/** `dbopt advise scaling` in Markdown: the summary first, the findings folded below. */
export function renderScalingMarkdown(report: ScalingReport): string {
  return `${[
    `## dbopt advise scaling: ${report.server.database} (${serverName(report.server.version)})`,
    "",
    `${scalingSources(report).join("; ")}.`,
    "",
    ...summaryLines(report.findings),
    ...foldedFindings(report.findings),
    ...(report.notes.length ? ["**Notes**", "", ...report.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n")}\n`;
}
