import type { PartitioningReport } from "../../pipeline/advise-partitioning.js";
import { serverName } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette } from "../terminal/palette.js";
import { partitionAdviceLines } from "./partitioning-lines.js";

export function renderPartitioningTerminal(report: PartitioningReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines = [
    p.bold(`Partitioning advice for ${report.server.database}`) +
      p.dim(`  ${serverName(report.server.version)}`),
    "",
    ...renderFindings(report.findings, p),
  ];
  for (const a of report.advice) {
    const { setting, proof, lint, notes, migration } = partitionAdviceLines(a);
    lines.push("", p.bold(`${a.table}`));
    const [heading, ...copied] = setting;
    if (heading) lines.push(p.bold(`  ${heading}`), ...copied.map((l) => `    ${p.dim(l)}`));
    lines.push(...proof.map((l) => `    ${l}`));
    lines.push(`  ${a.lint.errors ? p.red(lint) : p.green(lint)}`);
    for (const n of notes) lines.push(`  ${p.dim(n)}`);
    lines.push(p.bold("  Migration"), ...migration.map((l) => `    ${p.green(l)}`));
  }
  if (report.notes.length) lines.push("", p.bold("Notes"), ...report.notes.map((n) => `  ${n}`));
  return `${lines.join("\n")}\n`;
}
