/** `dbopt rewrite` as Markdown (a pull request or a ticket): a table of verdicts, then each rewrite's SQL and proof. */
import type { RewriteReport } from "../../pipeline/rewrite-statements.js";
import { oneLine } from "../../util/format.js";
import { cell, code } from "../markdown/findings-markdown.js";
import { PROVEN_MEANS, proofLine, speedup, tally, timingLine, verdictLine } from "./rewrite-lines.js";

export function renderRewriteMarkdown(report: RewriteReport): string {
  const t = tally(report);
  const lines: string[] = [
    "# dbopt rewrite",
    "",
    `${cell(report.target)} — ${cell(report.server.version)}${report.sandbox ? " (sandbox)" : ""}. ${t.statements} statements: **${t.offered} proven faster**, ${t.equivalent} equivalent but not faster, ${t.refused} refused (results differ), ${t.unproven} not proven.`,
    "",
    "| # | statement | rewrite | verdict | speedup |",
    "|---|---|---|---|---|",
  ];
  for (const [i, s] of report.statements.entries()) {
    if (!s.rewrites.length)
      lines.push(
        `| ${i + 1} | ${code(oneLine(s.sql, 80))} | ${s.problem ? cell(s.problem) : "no rule applies"} | | |`,
      );
    for (const r of s.rewrites)
      lines.push(
        `| ${i + 1} | ${code(oneLine(s.sql, 80))} | ${cell(r.summary)} | ${cell(r.verdict)} | ${r.proof.timing ? speedup(r.proof.timing.speedup) : ""} |`,
      );
  }
  lines.push("");
  for (const [i, s] of report.statements.entries()) {
    for (const r of s.rewrites) {
      lines.push(`## ${i + 1}. ${cell(r.summary)} (\`${r.ruleId}\`)`, "", "```sql", s.sql, "```", "");
      lines.push(`**${cell(verdictLine(r))}.** ${cell(proofLine(r))}.`);
      const timing = timingLine(r);
      if (timing) lines.push(`${cell(timing)}.`);
      lines.push("", cell(r.why), "");
      for (const a of r.assumptions) lines.push(`- assumes: ${cell(a)}`);
      if (s.parameters) lines.push(`- parameters: ${cell(s.parameters)}`);
      if (r.verdict !== "refused: results differ") lines.push("", "```sql", r.sql, "```");
      lines.push("", `[${r.title}](${r.docsUrl})`, "");
    }
  }
  for (const n of report.notes) lines.push(`> ${cell(n)}`, "");
  lines.push(`_${PROVEN_MEANS}_`, "");
  return lines.join("\n");
}
