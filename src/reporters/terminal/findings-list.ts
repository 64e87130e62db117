import type { Finding, Severity } from "../../findings/finding.js";
import type { Palette } from "../palette.js";

const LABEL: Record<Severity, string> = { error: "ERROR", warning: "WARN ", info: "INFO " };

/** Findings ranked by impact, each with its evidence and fix, indented under a one-line title. */
export function renderFindings(findings: Finding[], p: Palette): string[] {
  if (findings.length === 0) return [p.green("No findings: nothing here looks wrong.")];
  const colour: Record<Severity, (s: string) => string> = { error: p.red, warning: p.yellow, info: p.cyan };
  const lines: string[] = [];
  findings.forEach((f, i) => {
    const where = f.nodeId !== undefined ? p.dim(` (node #${f.nodeId})`) : "";
    lines.push(
      `${String(i + 1).padStart(3)}. ${colour[f.severity](LABEL[f.severity])} ${p.bold(f.title)}${where}`,
    );
    lines.push(`       ${p.dim(f.ruleId)}  ${f.detail}`);
    const evidence = Object.entries(f.evidence)
      .filter(([, v]) => v !== null && v !== "")
      .map(([k, v]) => `${k}=${typeof v === "string" && v.length > 60 ? `${v.slice(0, 57)}...` : v}`)
      .join("  ");
    if (evidence) lines.push(`       ${p.dim(`evidence: ${evidence}`)}`);
    if (f.fix?.sql) {
      const [first, ...rest] = f.fix.sql.split("\n");
      lines.push(`       ${p.green("fix:")} ${p.green(first ?? "")}`);
      for (const line of rest) lines.push(`            ${p.green(line)}`);
      lines.push(`            ${p.dim(f.fix.note)}`);
    } else if (f.fix) lines.push(`       ${p.green("fix:")} ${f.fix.note}`);
    if (f.query) lines.push(`       ${p.dim(`query: ${f.query.replace(/\s+/g, " ").slice(0, 160)}`)}`);
    lines.push("");
  });
  return lines;
}
