/** The plan comparison for a pull request or a ticket: the verdict, then one table row per node. */
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { inlineCode } from "../markdown/inline-code.js";
import { entryFigures, entryTitle, MAX_INDENT_DEPTH, statusMark } from "./diff-columns.js";
import { saidInTitle, sideNotes } from "./plan-diff-terminal.js";

export function renderPlanComparisonMarkdown(report: PlanComparison): string {
  const { verdict } = report;
  const out: string[] = [];
  out.push(
    `## Plan comparison: ${inlineCode(report.before.source)} → ${inlineCode(report.after.source)}`,
    "",
  );
  const planning = verdict.planning ? ` (${cell(verdict.planning)})` : "";
  const comparable = verdict.comparable.charAt(0).toUpperCase() + verdict.comparable.slice(1);
  out.push(`**${cell(verdict.summary)}**${planning}. ${cell(comparable)}.`, "");
  for (const note of [...report.notes, ...sideNotes(report)]) out.push(`> ${cell(note)}`, "");
  if (verdict.divergence) {
    const heading = verdict.sameShape
      ? "Same plan shape; the node that changed most"
      : "Where the plans diverge";
    out.push(`### ${heading}: ${cell(verdict.divergence.label)}`, "");
    for (const why of verdict.divergence.why) out.push(`- ${cell(why)}`);
    out.push("");
  } else out.push("The plans have the same shape and the same figures.", "");
  const others = verdict.reasons.filter((r) => !verdict.divergence?.why.includes(r.text));
  if (others.length) {
    out.push("### Other differences", "");
    for (const r of others) out.push(`- ${cell(r.text)}`);
    out.push("");
  }
  out.push("### Node by node", "");
  out.push(
    "`~` changed, `+` only in the after plan, `-` only in the before plan; time and buffers are the node's own.",
    "",
  );
  out.push("| | Node | Figures (before → after) | Changes |", "|---|---|---|---|");
  report.entries.forEach((entry, i) => {
    const depth = Math.min(entry.depth, MAX_INDENT_DEPTH);
    const indent =
      "&nbsp;&nbsp;".repeat(depth) + (entry.depth > MAX_INDENT_DEPTH ? `[depth ${entry.depth}] ` : "");
    const title = cell(entryTitle(entry));
    const flag = verdict.sameShape ? "◀ changed most" : "◀ diverges here";
    const shown = verdict.divergence?.entry === i ? `**${title}** ${flag}` : title;
    const figures = entryFigures(entry, verdict.measure)
      .map((f) => `${f.name} ${cell(f.text)}`)
      .join("<br>");
    const changes = [...entry.shapeChanges, ...entry.runtimeChanges]
      .filter((c) => !saidInTitle(c, entryTitle(entry)))
      .map(cell)
      .join("<br>");
    out.push(
      `| ${statusMark(entry).trim() ? `\`${statusMark(entry)}\`` : ""} | ${indent}${shown} | ${figures} | ${changes} |`,
    );
  });
  return `${out.join("\n")}\n`;
}

/** Text in a table cell or a line: no line breaks, and pipes, angle brackets and stars not read as Markdown. */
function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([|*_`\\])/g, "\\$1");
}
