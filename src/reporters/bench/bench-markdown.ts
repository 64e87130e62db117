import type { BenchReport, RunFigures } from "../../pipeline/bench-workload.js";
import { formatCount, formatMs } from "../../util/format.js";
import { cell, code } from "../markdown/findings-markdown.js";
import { FIGURE_HEADERS, figureRows, settingsLine } from "./bench-rows.js";

/** The bench report for a pull request: the verdict first, then the tables. */
export function renderBenchMarkdown(report: BenchReport): string {
  const lines: string[] = ["## dbopt bench", ""];
  const c = report.comparison;
  if (c) {
    lines.push(`**${c.overall.text}** (throughput over ${c.rounds} rounds of each variant)`, "");
    if (c.statements.length) {
      lines.push(
        "| statement | A median | B median | A mean | B mean | verdict |",
        "|---|---:|---:|---:|---:|---|",
      );
      for (const s of c.statements)
        lines.push(
          `| ${cell(s.id)} | ${formatMs(s.aMedianMs)} | ${formatMs(s.bMedianMs)} | ${formatMs(s.aMeanMs)} | ${formatMs(s.bMeanMs)} | ${cell(s.text)} |`,
        );
      lines.push("");
    }
  }
  lines.push(`${cell(report.target)}: ${cell(settingsLine(report))}`, "");
  lines.push("| statement | weight | SQL |", "|---|---:|---|");
  for (const s of report.statements)
    lines.push(`| ${cell(s.id)} | ${formatCount(s.weight)} | ${code(s.sql)} |`);
  lines.push("");
  if (report.run) lines.push(...table(report.run));
  if (c)
    for (const v of [c.a, c.b])
      lines.push(
        `### Variant ${v.name}`,
        "",
        `Throughput per round: ${v.rounds.map((r) => formatCount(r.throughput)).join(", ")} tx/s`,
        "",
        ...table(v.total),
      );
  for (const note of report.notes) lines.push(`> ${note}`, "");
  return `${lines.join("\n")}\n`;
}

function table(run: RunFigures): string[] {
  return [
    `| ${FIGURE_HEADERS.join(" | ")} |`,
    `|---|${FIGURE_HEADERS.slice(1)
      .map(() => "---:")
      .join("|")}|`,
    ...figureRows(run).map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ];
}
