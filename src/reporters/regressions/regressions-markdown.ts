import type { RegressionsReport, StatementPresence } from "../../pipeline/find-regressions.js";
import { formatCount, formatFactor, formatMs } from "../../util/format.js";
import { cell, code, foldedFindings } from "../markdown/findings-markdown.js";

/** The regressions report as Markdown (a pull request or a ticket): a table of regressions per target, then the details folded. */
export function renderRegressionsMarkdown(report: RegressionsReport): string {
  const lines: string[] = ["# dbopt regressions", "", `Test: ${report.method}.`, ""];
  for (const t of report.targets) {
    lines.push(
      `## ${cell(t.target)}`,
      "",
      `Baseline ${t.baseline.from} → ${t.baseline.to} (${t.baseline.samples} samples); recent ${t.recent.from} → ${t.recent.to} (${t.recent.samples} samples).`,
      "",
    );
    if (t.note) {
      lines.push(`_${cell(t.note)}_`, "");
      continue;
    }
    if (!t.findings.length)
      lines.push(`No regressions among ${t.compared} statements that ran in both windows.`, "");
    else {
      lines.push("| | Time added | Slower | Statement | Cause |", "|---|---:|---:|---|---|");
      for (const f of t.findings)
        lines.push(
          `| ${f.severity} | ${formatMs(f.timeMs ?? 0)} | ${formatFactor(Number(f.evidence.slowerBy))} | ${code(short(f.query ?? ""))} | ${cell(f.title)} |`,
        );
      lines.push("", ...foldedFindings(t.findings), "");
    }
    lines.push(
      ...presence("New statements", t.newStatements),
      ...presence("Gone statements", t.goneStatements),
    );
  }
  return `${lines.join("\n")}\n`;
}

function presence(title: string, list: StatementPresence[]): string[] {
  if (!list.length) return [];
  return [
    `### ${title}`,
    "",
    "| Time | Calls | Statement |",
    "|---:|---:|---|",
    ...list.map((s) => `| ${formatMs(s.totalMs)} | ${formatCount(s.calls)} | ${code(short(s.query))} |`),
    "",
  ];
}

function short(query: string): string {
  const flat = query.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
