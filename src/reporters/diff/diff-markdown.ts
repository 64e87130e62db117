import type { DiffReport, StatementOnOneSide } from "../../pipeline/diff-snapshots.js";
import { formatCount, formatFactor, formatMs, oneLine } from "../../util/format.js";
import { cell, code, foldedFindings } from "../markdown/findings-markdown.js";
import { beforeAfter, changeLines } from "./diff-lines.js";

/** The diff as Markdown (a pull request or a ticket): sides, regressions, statements, changes; details folded. */
export function renderDiffMarkdown(report: DiffReport): string {
  const lines: string[] = [
    `# dbopt diff: ${cell(report.before.database)}`,
    "",
    "| | Source | Statement figures |",
    "|---|---|---|",
    `| before | ${cell(report.before.label)} | ${cell(report.before.window.description)} |`,
    `| after | ${cell(report.after.label)} | ${cell(report.after.window.description)} |`,
    "",
    `Test: ${report.method}.`,
    "",
    "## Regressions",
    "",
  ];
  if (!report.findings.length) lines.push("No statement got slower beyond the noise of the before side.", "");
  else {
    lines.push("| | Time added | Slower | Statement | Cause |", "|---|---:|---:|---|---|");
    for (const f of report.findings)
      lines.push(
        `| ${f.severity} | ${formatMs(f.timeMs ?? 0)} | ${formatFactor(Number(f.evidence.slowerBy))} | ${code(oneLine(f.query ?? "", 80))} | ${cell(f.title)} |`,
      );
    lines.push("", ...foldedFindings(report.findings), "");
  }
  if (report.statements.length) {
    lines.push(
      "## Statements on both sides",
      "",
      "| Statement | Calls | Mean | Total | Rows | Blocks read | Temp |",
      "|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const s of report.statements)
      lines.push(
        `| ${code(oneLine(s.query, 70))} | ${beforeAfter(s.before, s.after, "calls")} | ${beforeAfter(s.before, s.after, "meanMs")} | ${beforeAfter(s.before, s.after, "totalMs")} | ${beforeAfter(s.before, s.after, "rows")} | ${beforeAfter(s.before, s.after, "sharedBlksRead")} | ${beforeAfter(s.before, s.after, "tempBytes")} |`,
      );
    if (report.statementsOmitted) lines.push("", `_${report.statementsOmitted} more in --format json._`);
    lines.push("");
  }
  lines.push(
    ...oneSide("New statements", report.newStatements),
    ...oneSide("Gone statements", report.goneStatements),
  );
  for (const c of changeLines(report))
    lines.push(`## ${c.title}`, "", ...c.lines.map((l) => `- ${cell(l)}`), "");
  for (const n of report.notes) lines.push(`_Note: ${cell(n)}_`, "");
  return `${lines.join("\n")}\n`;
}

function oneSide(title: string, list: StatementOnOneSide[]): string[] {
  if (!list.length) return [];
  return [
    `## ${title}`,
    "",
    "| Time | Calls | Mean | Statement |",
    "|---:|---:|---:|---|",
    ...list.map(
      (s) =>
        `| ${formatMs(s.figures.totalMs)} | ${formatCount(s.figures.calls)} | ${formatMs(s.figures.meanMs)} | ${code(oneLine(s.query, 80))} |`,
    ),
    "",
  ];
}
