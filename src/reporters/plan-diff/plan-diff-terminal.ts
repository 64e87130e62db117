/** The plan comparison for a terminal: the verdict first, then the merged tree with each node's changes. */
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { createPalette, type Palette } from "../terminal/palette.js";
import { entryFigures, entryTitle, type FigureChange, MAX_INDENT_DEPTH, statusMark } from "./diff-columns.js";

export function renderPlanComparisonTerminal(report: PlanComparison, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const { verdict } = report;
  const lines: string[] = [];
  lines.push(p.bold(`Plan comparison: ${report.before.source} → ${report.after.source}`));
  lines.push(`  ${verdict.summary}${verdict.planning ? p.dim(`; ${verdict.planning}`) : ""}`);
  lines.push(p.dim(`  ${verdict.comparable}`));
  for (const note of [...report.notes, ...sideNotes(report)]) lines.push(p.dim(`  note: ${note}`));
  lines.push("");
  if (verdict.divergence) {
    const heading = verdict.sameShape
      ? "Same plan shape; the node that changed most:"
      : "Where the plans diverge:";
    lines.push(`${p.bold(heading)} ${p.cyan(verdict.divergence.label)}`);
    for (const why of verdict.divergence.why) lines.push(`  - ${why}`);
  } else lines.push(p.bold("The plans have the same shape and the same figures."));
  const others = verdict.reasons.filter((r) => !verdict.divergence?.why.includes(r.text));
  if (others.length) {
    lines.push("", p.bold("Other differences:"));
    for (const r of others) lines.push(`  - ${r.text}`);
  }
  lines.push("", p.bold("Node by node") + p.dim(" (before → after; time and buffers are the node's own)"));
  lines.push(p.dim("  ~ changed  + only in the after plan  - only in the before plan"));
  report.entries.forEach((entry, i) => {
    const depth = Math.min(entry.depth, MAX_INDENT_DEPTH);
    const indent = "  ".repeat(depth) + (entry.depth > MAX_INDENT_DEPTH ? `[depth ${entry.depth}] ` : "");
    const mark = statusMark(entry);
    const marked =
      entry.status === "added"
        ? p.yellow(mark)
        : entry.status === "removed"
          ? p.dim(mark)
          : entry.status === "changed"
            ? p.cyan(mark)
            : mark;
    const title = entryTitle(entry);
    const isDivergence = verdict.divergence?.entry === i;
    const shownTitle = isDivergence
      ? p.bold(p.cyan(title))
      : entry.status === "removed"
        ? p.dim(title)
        : title;
    const flag = verdict.sameShape ? "   ◀ changed most" : "   ◀ diverges here";
    lines.push(`${marked} ${indent}${shownTitle}${isDivergence ? p.cyan(flag) : ""}`);
    const pad = `  ${indent}    `;
    const figures = entryFigures(entry, verdict.measure).map((f) => colourFigure(f, p));
    if (figures.length) lines.push(`${pad}${figures.join(p.dim("  ·  "))}`);
    for (const change of [...entry.shapeChanges, ...entry.runtimeChanges])
      if (!saidInTitle(change, title)) lines.push(`${pad}${p.dim(change)}`);
  });
  return `${lines.join("\n")}\n`;
}

function colourFigure(f: FigureChange, p: Palette): string {
  const text = `${p.dim(f.name)} ${f.text}`;
  if (f.delta === null || f.delta === 0 || f.before === null) return text;
  const ratio = f.before ? Math.abs(f.delta) / Math.abs(f.before) : 1;
  if (f.name !== "time" && ratio < 0.5) return text;
  if (f.name === "time" && Math.abs(f.delta) < 1 && ratio < 0.5) return text;
  if (!f.higherIsWorse) return `${p.dim(f.name)} ${p.yellow(f.text)}`;
  return `${p.dim(f.name)} ${f.delta > 0 ? p.red(f.text) : p.green(f.text)}`;
}

export function sideNotes(report: PlanComparison): string[] {
  return [...report.before.notes.map((n) => `before: ${n}`), ...report.after.notes.map((n) => `after: ${n}`)];
}

/** "Bitmap Heap Scan → Seq Scan" under a title that already reads "Bitmap Heap Scan on orders o → Seq Scan ...". */
export function saidInTitle(change: string, title: string): boolean {
  const parts = change.split(" → ");
  return parts.length === 2 && parts.every((part) => title.includes(part));
}
