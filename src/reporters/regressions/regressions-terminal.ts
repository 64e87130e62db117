import type { RegressionsReport, StatementPresence } from "../../pipeline/find-regressions.js";
import { formatCount, formatMs, oneLine } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette, type Palette } from "../terminal/palette.js";

/** The regressions report for a terminal: per target, its windows, its regressions ranked by time added, new and gone statements. */
export function renderRegressionsTerminal(report: RegressionsReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines: string[] = [p.dim(`store: ${report.store}`), p.dim(`test: ${report.method}`), ""];
  if (!report.targets.length) lines.push("The store has no targets yet: run dbopt collect first.");
  for (const t of report.targets) {
    lines.push(p.bold(t.target));
    lines.push(
      `  baseline ${t.baseline.from} → ${t.baseline.to} (${t.baseline.samples} samples), recent ${t.recent.from} → ${t.recent.to} (${t.recent.samples} samples)`,
    );
    if (t.note) {
      lines.push(`  ${p.yellow(t.note)}`, "");
      continue;
    }
    lines.push(`  ${t.compared} statements ran in both windows`, "");
    if (t.findings.length) lines.push(...renderFindings(t.findings, p));
    else lines.push(p.green("  No regressions: no statement got slower beyond the noise of the baseline."));
    lines.push(...presenceLines("New statements (recent window only)", t.newStatements, p));
    lines.push(...presenceLines("Gone statements (baseline window only)", t.goneStatements, p));
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

function presenceLines(title: string, list: StatementPresence[], p: Palette): string[] {
  if (!list.length) return [];
  return [
    "",
    p.bold(`  ${title} (${list.length})`),
    ...list.map(
      (s) =>
        `    ${formatMs(s.totalMs).padStart(9)}  ${formatCount(s.calls).padStart(7)} calls  ${oneLine(s.query, 100)}`,
    ),
  ];
}
