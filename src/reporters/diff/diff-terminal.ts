import type { DiffReport, DiffSideSummary, StatementOnOneSide } from "../../pipeline/diff-snapshots.js";
import { formatBytes, formatCount, formatMs, oneLine } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette, type Palette } from "../terminal/palette.js";
import { beforeAfter, changeLines } from "./diff-lines.js";

/** How many compared statements the terminal shows; JSON has them all (up to the report's limit). */
const SHOWN_STATEMENTS = 15;

/** The diff for a terminal: the two sides, regressions with causes, the statements compared, then what changed. */
export function renderDiffTerminal(report: DiffReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines: string[] = [
    p.bold(`dbopt diff: ${report.before.database}`),
    side("before", report.before, p),
    side("after ", report.after, p),
    p.dim(`test: ${report.method}`),
    "",
  ];
  if (report.findings.length) {
    lines.push(p.bold(`Regressions (${report.findings.length}), by the time they added`));
    lines.push(...renderFindings(report.findings, p));
  } else lines.push(p.green("No regressions: no statement got slower beyond the noise of the before side."));
  if (report.statements.length) {
    lines.push("", p.bold("Statements on both sides (before → after)"));
    for (const s of report.statements.slice(0, SHOWN_STATEMENTS)) {
      lines.push(`  ${s.regressed ? p.red("▲") : " "} ${oneLine(s.query, 90)}`);
      lines.push(
        p.dim(
          `      calls ${beforeAfter(s.before, s.after, "calls")}  mean ${beforeAfter(s.before, s.after, "meanMs")}  total ${beforeAfter(s.before, s.after, "totalMs")}  rows ${beforeAfter(s.before, s.after, "rows")}  blocks read ${beforeAfter(s.before, s.after, "sharedBlksRead")}  temp ${beforeAfter(s.before, s.after, "tempBytes")}${s.matchedBy === "fingerprint" ? "  (matched by fingerprint)" : ""}`,
        ),
      );
    }
    const more = report.statements.length - SHOWN_STATEMENTS + report.statementsOmitted;
    if (more > 0) lines.push(p.dim(`  … and ${more} more (--format json lists them)`));
  }
  lines.push(...oneSide("New statements (after only)", report.newStatements, report.minorNewGone.new, p));
  lines.push(...oneSide("Gone statements (before only)", report.goneStatements, report.minorNewGone.gone, p));
  const changes = changeLines(report);
  for (const c of changes)
    lines.push("", p.bold(`${c.title} (${c.lines.length})`), ...c.lines.map((l) => `  ${l}`));
  if (!changes.length && !report.findings.length)
    lines.push("", "No index, setting, table size or statistics changed.");
  for (const n of report.notes) lines.push(p.dim(`note: ${n}`));
  return `${lines.join("\n")}\n`;
}

function side(name: string, s: DiffSideSummary, p: Palette): string {
  return `${p.bold(name)} ${s.label} (${s.serverVersion}): ${s.window.description}; ${formatCount(s.calls)} calls, ${formatMs(s.totalMs)}`;
}

function oneSide(title: string, list: StatementOnOneSide[], minor: number, p: Palette): string[] {
  if (!list.length && !minor) return [];
  return [
    "",
    p.bold(`${title} (${list.length})`),
    ...list.map(
      (s) =>
        `  ${formatMs(s.figures.totalMs).padStart(9)}  ${formatCount(s.figures.calls).padStart(7)} calls  ${formatMs(s.figures.meanMs)} each${s.figures.tempBytes ? `, ${formatBytes(s.figures.tempBytes)} temp` : ""}  ${oneLine(s.query, 80)}`,
    ),
    ...(minor ? [p.dim(`  … and ${minor} more, each under 1% of the statement time`)] : []),
  ];
}
