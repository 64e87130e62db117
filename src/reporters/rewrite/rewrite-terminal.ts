/** `dbopt rewrite` for a terminal: per statement, each rewrite with its verdict, proof and timings; offered SQL in full. */
import type { RewriteReport } from "../../pipeline/rewrite-statements.js";
import { formatMs, oneLine } from "../../util/format.js";
import { createPalette } from "../terminal/palette.js";
import { PROVEN_MEANS, proofLine, tally, timingLine, verdictLine } from "./rewrite-lines.js";

export function renderRewriteTerminal(report: RewriteReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const t = tally(report);
  const lines: string[] = [
    p.bold(`dbopt rewrite — ${report.target}`),
    p.dim(`${report.server.version}, ${report.server.database}${report.sandbox ? " (sandbox)" : ""}`),
    `${t.statements} statement${t.statements === 1 ? "" : "s"}: ${t.offered} rewrite${t.offered === 1 ? "" : "s"} proven faster, ${t.equivalent} equivalent but not faster, ${t.refused} refused (results differ), ${t.unproven} not proven`,
    "",
  ];
  for (const [i, s] of report.statements.entries()) {
    const stats = s.calls !== null ? p.dim(` (${s.calls} calls, ${formatMs(s.meanMs)} each)`) : "";
    lines.push(p.bold(`${i + 1}. ${oneLine(s.sql, 110)}`) + stats);
    if (s.problem) lines.push(`   ${p.dim(s.problem)}`);
    else if (!s.rewrites.length) lines.push(`   ${p.dim("no rule applies")}`);
    if (s.parameters) lines.push(`   ${p.dim(`parameters: ${s.parameters}`)}`);
    for (const r of s.rewrites) {
      const colour =
        r.verdict === "faster" ? p.green : r.verdict === "refused: results differ" ? p.red : p.yellow;
      lines.push(
        `   ${colour(r.verdict === "faster" ? "✔" : r.verdict === "refused: results differ" ? "✘" : "•")} ${r.summary}  ${p.dim(r.ruleId)}`,
      );
      lines.push(`     ${colour(verdictLine(r))}`);
      lines.push(`     ${proofLine(r)}`);
      const timing = timingLine(r);
      if (timing) lines.push(`     ${timing}`);
      lines.push(`     why: ${r.why}`);
      for (const a of r.assumptions) lines.push(`     ${p.dim(`assumes: ${a}`)}`);
      if (r.verdict !== "refused: results differ")
        lines.push(...r.sql.split("\n").map((l) => `     ${r.offered ? p.cyan(l) : p.dim(l)}`));
      lines.push("");
    }
    if (!s.rewrites.length) lines.push("");
  }
  for (const n of report.notes) lines.push(p.yellow(`note: ${n}`));
  lines.push(p.dim(PROVEN_MEANS));
  return `${lines.join("\n")}\n`;
}
