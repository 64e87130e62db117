import type { AdviceReport } from "../advisors/index/advice-report.js";
import { alterSystemScript, type TuneReport } from "../advisors/settings/settings-advisor.js";
import type { Finding } from "../findings/finding.js";
import { formatBytes, formatCount, formatMs, formatPercent } from "../util/format.js";
import type { Report } from "./json-reporter.js";
import { createPalette } from "./palette.js";
import { renderPlanTree } from "./terminal/plan-tree.js";

/** Markdown for pull requests and issues: a findings table, then each fix, then the plan tree. */
export function renderMarkdown(report: Report): string {
  if (report.kind === "tune") return tuneMarkdown(report);
  if (report.kind === "advice") return adviceMarkdown(report);
  const lines: string[] = [];
  if (report.kind === "plan") {
    const s = report.summary;
    lines.push(`## dbopt: plan from ${report.source}`, "");
    lines.push(
      s.analyzed
        ? `Execution ${formatMs(s.executionTimeMs)}, planning ${formatMs(s.planningTimeMs)}, ${s.nodes} nodes.`
        : `Estimated cost ${s.totalCost}, ${s.nodes} nodes (not run).`,
      "",
    );
    for (const note of report.notes ?? []) lines.push(`> ${note}`, "");
  } else if (report.kind === "check") {
    lines.push(
      `## dbopt check: ${report.target}`,
      "",
      `PostgreSQL ${report.server.version}, captured ${report.capturedAt}.`,
      "",
    );
    for (const note of report.notes) lines.push(`> ${note}`, "");
  } else {
    lines.push(
      `## dbopt: ${report.target}`,
      "",
      `PostgreSQL ${report.server.version}; ${report.workload.statementsExplained} of ${report.workload.statementsSeen} statements explained.`,
      "",
    );
    for (const note of report.notes) lines.push(`> ${note}`, "");
    lines.push("| total | share | calls | mean | statement |", "|---:|---:|---:|---:|---|");
    for (const st of report.statements) {
      lines.push(
        `| ${formatMs(st.totalMs)} | ${formatPercent(st.share)} | ${formatCount(st.calls)} | ${formatMs(st.meanMs)} | \`${cell(st.query.replace(/\s+/g, " ").slice(0, 100))}\` |`,
      );
    }
    lines.push("");
  }
  lines.push(...findingsTable(report.findings));
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

function findingsTable(findings: Finding[]): string[] {
  if (findings.length === 0) return ["No findings.", ""];
  const lines = ["| # | severity | finding | rule |", "|---:|---|---|---|"];
  findings.forEach((f, i) => {
    lines.push(`| ${i + 1} | ${f.severity} | ${cell(f.title)} | [${f.ruleId}](${f.docsUrl}) |`);
  });
  lines.push("");
  findings.forEach((f, i) => {
    lines.push(`### ${i + 1}. ${f.title}`, "", f.detail, "");
    const evidence = Object.entries(f.evidence).filter(([, v]) => v !== null);
    if (evidence.length) lines.push(evidence.map(([k, v]) => `\`${k}\`: ${v}`).join(" · "), "");
    if (f.query) lines.push("```sql", f.query, "```", "");
    if (f.fix?.sql) lines.push("Fix:", "", "```sql", f.fix.sql, "```", "", f.fix.note, "");
    else if (f.fix) lines.push(`Fix: ${f.fix.note}`, "");
  });
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
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
