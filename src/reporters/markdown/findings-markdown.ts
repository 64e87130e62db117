/**
 * Findings for a pull request: a short "do first" table that fits on one screen with what each item costs, the
 * count of the rest, then every finding folded in a <details> block per section.
 */

import type { Finding } from "../../findings/finding.js";
import { formatMs, oneLine } from "../../util/format.js";
import { costOf, fixHeadline, rankedSections } from "../findings/ranked-sections.js";

/** How many items the summary names; the rest are counted. */
const FIRST = 5;

const plural = (one: string, many: string) => (n: number) => (n === 1 ? one : many);
const NOUN = {
  risk: plural("more risk", "more risks"),
  time: plural("more finding costing time", "more findings costing time"),
  hygiene: plural("hygiene finding", "hygiene findings"),
} as const;

export function summaryLines(findings: Finding[]): string[] {
  if (findings.length === 0) return ["No findings.", ""];
  const sections = rankedSections(findings);
  // Risks and what costs time first; hygiene only when there is nothing else to do.
  const urgent = sections.filter((s) => s.section !== "hygiene").flatMap((s) => s.findings);
  const first = (urgent.length ? urgent : sections.flatMap((s) => s.findings)).slice(0, FIRST);
  const lines = ["**Do first**", "", "| # | costs | finding | fix |", "|---:|---|---|---|"];
  for (const { n, f } of first) {
    const also = f.alsoFixes?.length ? ` (also fixes ${f.alsoFixes.length} more)` : "";
    const fix = fixHeadline(f, 80);
    lines.push(
      `| ${n} | ${costOf(f) ?? `${f.section === "risk" ? "risk" : "untimed"}, ${f.severity}`} | ${cell(f.title)}${also} | ${fix ? `${code(fix.text)}${fix.more ? ` (+${fix.more} more)` : ""}` : cell(f.fix?.note.split(/(?<=\.) /)[0] ?? "")} |`,
    );
  }
  const shown = new Set(first.map((x) => x.n));
  const rest = sections
    .map((s) => {
      const left = s.findings.filter((x) => !shown.has(x.n));
      if (left.length === 0) return null;
      const ms = left.reduce((sum, x) => sum + (x.f.timeMs ?? 0), 0);
      return `${left.length} ${NOUN[s.section](left.length)}${s.section === "time" && ms > 0 ? ` (${formatMs(ms)} in all)` : ""}`;
    })
    .filter((x) => x !== null);
  lines.push("", rest.length ? `Also ${rest.join(", ")}: details below.` : "Details below.", "");
  return lines;
}

export function foldedFindings(findings: Finding[]): string[] {
  const lines: string[] = [];
  for (const s of rankedSections(findings)) {
    lines.push(`<details><summary>${s.title} (${s.findings.length})</summary>`, "");
    for (const { n, f } of s.findings) lines.push(...findingLines(n, f));
    lines.push("</details>", "");
  }
  return lines;
}

function findingLines(n: number, f: Finding): string[] {
  const cost = costOf(f);
  const lines = [
    `#### ${n}. ${f.title}`,
    "",
    `${f.severity} · [${f.ruleId}](${f.docsUrl})${cost ? ` · costs ${cost}` : ""}`,
    "",
    f.detail,
    "",
  ];
  const evidence = Object.entries(f.evidence).filter(([, v]) => v !== null);
  if (evidence.length) lines.push(evidence.map(([k, v]) => `\`${k}\`: ${v}`).join(" · "), "");
  if (f.alsoFixes?.length) {
    lines.push("Also fixes:", "");
    for (const a of f.alsoFixes)
      lines.push(
        `- ${a.severity} [${a.ruleId}] ${a.title}${a.timeMs ? ` (${formatMs(a.timeMs)})` : ""}${a.query ? `: ${code(oneLine(a.query, 100, "..."))}` : ""}`,
      );
    lines.push("");
  }
  if (f.query) lines.push("```sql", f.query, "```", "");
  if (f.fix?.sql) lines.push("Fix:", "", "```sql", f.fix.sql, "```", "", f.fix.note, "");
  else if (f.fix) lines.push(`Fix: ${f.fix.note}`, "");
  return lines;
}

export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** An inline code span that survives backticks and pipes in the text. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? " " : ""}${cell(text)}${fence === "``" ? " " : ""}${fence}`;
}
