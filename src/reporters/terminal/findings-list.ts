import type { Finding, Severity } from "../../findings/finding.js";
import { formatMs } from "../../util/format.js";
import { costOf, rankedSections } from "../findings/ranked-sections.js";
import type { Palette } from "./palette.js";

const LABEL: Record<Severity, string> = { error: "ERROR", warning: "WARN ", info: "INFO " };

const SECTION_HINT = {
  risk: "outages in waiting, by severity",
  time: "most costly first: statement time, or share of the plan's cost when it was not run",
  hygiene: "no measured time, by severity",
} as const;

/** Ranked findings under their section headings (risks, costing time, hygiene), numbered through the list. */
export function renderRankedFindings(findings: Finding[], p: Palette): string[] {
  if (findings.length === 0) return renderFindings([], p);
  const lines: string[] = [];
  for (const s of rankedSections(findings)) {
    lines.push(p.bold(`${s.title} (${s.findings.length})`) + p.dim(`  ${SECTION_HINT[s.section]}`), "");
    for (const { n, f } of s.findings) lines.push(...findingLines(n, f, p));
  }
  return lines;
}

/** Findings in the order given, each with its evidence and fix, indented under a one-line title. */
export function renderFindings(findings: Finding[], p: Palette): string[] {
  if (findings.length === 0) return [p.green("No findings: nothing here looks wrong.")];
  return findings.flatMap((f, i) => findingLines(i + 1, f, p));
}

function findingLines(n: number, f: Finding, p: Palette): string[] {
  const colour: Record<Severity, (s: string) => string> = { error: p.red, warning: p.yellow, info: p.cyan };
  const lines: string[] = [];
  const where = f.nodeId !== undefined ? p.dim(` (node #${f.nodeId})`) : "";
  const cost = costOf(f);
  lines.push(
    `${String(n).padStart(3)}. ${colour[f.severity](LABEL[f.severity])} ${p.bold(f.title)}${where}${cost ? `  ${p.bold(cost)}` : ""}`,
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
  for (const a of f.alsoFixes ?? [])
    lines.push(
      `       ${p.green("also fixes:")} ${a.title} ${p.dim(`(${a.ruleId}${a.timeMs ? `, ${formatMs(a.timeMs)}` : ""})`)}`,
    );
  if (f.query) lines.push(`       ${p.dim(`query: ${f.query.replace(/\s+/g, " ").slice(0, 160)}`)}`);
  lines.push("");
  return lines;
}
