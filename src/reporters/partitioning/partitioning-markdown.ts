import type { PartitioningReport } from "../../pipeline/advise-partitioning.js";
import { serverName } from "../../util/format.js";
import { foldedFindings, summaryLines } from "../markdown/findings-markdown.js";
import { partitionAdviceLines } from "./partitioning-lines.js";

export function renderPartitioningMarkdown(report: PartitioningReport): string {
  const lines = [
    `## dbopt advise partitioning: ${report.server.database} (${serverName(report.server.version)})`,
    "",
    ...summaryLines(report.findings),
    ...foldedFindings(report.findings),
  ];
  for (const a of report.advice) {
    const { setting, proof, lint, notes, migration } = partitionAdviceLines(a);
    const [heading, ...copied] = setting;
    lines.push(
      `### ${a.table}`,
      "",
      ...(heading ? [`**${heading}**`, ""] : []),
      ...copied.map((l) => `- ${l}`),
    );
    lines.push(...proof.map((l) => `- ${l}`), "", lint, "");
    if (notes.length) lines.push(...notes.map((n) => `- ${n}`), "");
    lines.push("<details><summary>Migration</summary>", "", "```sql", ...migration, "```", "</details>", "");
  }
  if (report.notes.length) lines.push("**Notes**", "", ...report.notes.map((n) => `- ${n}`), "");
  return `${lines.join("\n")}\n`;
}
