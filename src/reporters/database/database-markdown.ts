import type { AdviceReport } from "../../pipeline/advise-database.js";
import type { TuneReport } from "../../pipeline/tune-settings.js";
import { formatBytes, formatCount, formatMs, formatPercent, serverName } from "../../util/format.js";
import { cell, code, foldedFindings, summaryLines } from "../markdown/findings-markdown.js";
import { createPalette } from "../terminal/palette.js";
import { renderPlanTree } from "../terminal/plan-tree.js";
import { alterSystemScript } from "./alter-system-script.js";
import type { Report } from "./database-json.js";

/**
 * Markdown for pull requests, one screen first: the header, what to do first with what each item costs, counts of
 * the rest; then the details folded (findings per section, statements, index advice, notes, the plan tree).
 */
export function renderMarkdown(report: Report): string {
  if (report.kind === "tune") return tuneMarkdown(report);
  if (report.kind === "advice") return adviceMarkdown(report);
  const lines: string[] = [];
  const notes = report.notes ?? [];
  if (report.kind === "plan") {
    const s = report.summary;
    lines.push(`## dbopt: plan from ${report.source}`, "");
    lines.push(
      s.analyzed
        ? `Execution ${formatMs(s.executionTimeMs)}, planning ${formatMs(s.planningTimeMs)}, ${s.nodes} nodes.`
        : `Estimated cost ${s.totalCost}, ${s.nodes} nodes (not run).`,
      "",
    );
  } else if (report.kind === "check") {
    lines.push(
      `## dbopt check: ${report.target}`,
      "",
      `${serverName(report.server.version)}, captured ${report.capturedAt}.`,
      "",
    );
  } else {
    const w = report.workload;
    lines.push(
      `## dbopt: ${report.target}`,
      "",
      `${serverName(report.server.version)}; ${formatMs(w.totalMs)} of statement time${w.statsResetAt ? ` since ${w.statsResetAt}` : ""}; ${w.statementsExplained} of ${w.statementsSeen} statements explained.`,
      "",
    );
  }
  // Notes say what dbopt could not see: one stays in view, the rest are folded below.
  const [firstNote, ...otherNotes] = notes;
  if (firstNote)
    lines.push(
      `> ${firstNote}${otherNotes.length ? ` (and ${otherNotes.length} more notes below)` : ""}`,
      "",
    );
  lines.push(...summaryLines(report.findings), ...foldedFindings(report.findings));
  if (report.kind === "analyze") {
    lines.push(`<details><summary>Top statements (${report.statements.length})</summary>`, "");
    lines.push("| total | share | calls | mean | statement |", "|---:|---:|---:|---:|---|");
    for (const st of report.statements) {
      lines.push(
        `| ${formatMs(st.totalMs)} | ${formatPercent(st.share)} | ${formatCount(st.calls)} | ${formatMs(st.meanMs)} | ${code(st.query.replace(/\s+/g, " ").slice(0, 100))} |`,
      );
    }
    lines.push("", "</details>", "");
    if (report.advice) {
      lines.push(
        `<details><summary>Index advice, checked by the planner (${report.advice.recommendations.length})</summary>`,
        "",
        ...adviceMarkdown(report.advice).split("\n").slice(2),
        "</details>",
        "",
      );
    }
  }
  if (otherNotes.length) {
    lines.push(`<details><summary>Notes (${otherNotes.length} more)</summary>`, "");
    for (const note of otherNotes) lines.push(`- ${cell(note)}`);
    lines.push("", "</details>", "");
  }
  if (report.kind === "plan") {
    lines.push(
      "<details><summary>Plan tree</summary>",
      "",
      "```",
      ...renderPlanTree(report.analyzed, createPalette(false), new Set()),
      "```",
      "</details>",
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

function tuneMarkdown(report: TuneReport): string {
  const lines = [`## dbopt tune${report.target ? `: ${report.target}` : ""}`, ""];
  for (const note of report.notes) lines.push(`> ${note}`, "");
  lines.push("| setting | current | recommended | restart | reason |", "|---|---:|---:|---|---|");
  for (const r of report.recommendations) {
    lines.push(
      `| \`${r.name}\` | ${r.current ?? "-"} | ${r.changed ? `**${r.recommended}**` : r.recommended} | ${r.restart ? "yes" : ""} | ${cell(r.reason)} |`,
    );
  }
  lines.push("", "```sql", ...alterSystemScript(report), "```", "");
  return `${lines.join("\n")}\n`;
}

function adviceMarkdown(report: AdviceReport): string {
  const lines = [`## dbopt advise: ${report.target}`, ""];
  for (const note of report.notes) lines.push(`> ${note}`, "");
  if (report.workload.statements === 0)
    lines.push("No statement of the workload could be costed, so there is no index advice.", "");
  else if (report.recommendations.length === 0)
    lines.push("No new index would help this workload enough.", "");
  for (const r of report.recommendations) {
    lines.push(
      "```sql",
      r.ddl,
      "```",
      "",
      `${r.reason}; ${formatBytes(r.sizeBytes)}; saves about ${formatMs(r.benefitMs)}.`,
      "",
    );
    for (const q of r.queries)
      lines.push(
        `- cost ${q.costBefore.toFixed(0)} → ${q.costAfter.toFixed(0)}: \`${cell(q.query.replace(/\s+/g, " ").slice(0, 120))}\``,
      );
    lines.push("");
  }
  for (const d of report.drops) lines.push("```sql", d.ddl, "```", "", d.reason, "");
  if (report.apply) {
    lines.push("### Applied", "");
    for (const o of report.apply.outcomes)
      lines.push(
        `- **${o.status}** \`${o.name}\`${o.detail ? `: ${cell(o.detail)}` : ""}${o.cleanup ? ` (to remove what is left: \`${o.cleanup}\`)` : ""}`,
      );
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
