import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { serverName } from "../../util/format.js";
import { foldedFindings, summaryLines } from "../markdown/findings-markdown.js";
import { inlineCode } from "../markdown/inline-code.js";
import { ownWriteReads } from "./own-write-sources.js";
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
    ...ownWriteMarkdown(report),
    ...(report.notes.length ? ["**Notes**", "", ...report.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n")}\n`;
}

/** The reads of their own writes with their log lines or trace spans, as a list (code spans: SQL and paths). */
function ownWriteMarkdown(report: ScalingReport): string[] {
  const own = ownWriteReads(report);
  if (!own.length) return [];
  return [
    "**Reads of their own writes** (kept on the primary)",
    "",
    ...own.flatMap((r) => [
      `- ${inlineCode(r.query)}: ${r.runs}`,
      ...r.sources.map((s) => `  - ${inlineCode(s)}`),
    ]),
    "",
  ];
}
