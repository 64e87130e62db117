/** The lines `dbopt migrate trace` prints alike on PostgreSQL and MySQL/MariaDB: header, statement, verdicts, tally. */
import type { Finding } from "../../findings/finding.js";
import type { Palette } from "../terminal/palette.js";

/** The title line and the blank line after it; `on` names the server and what ran there. */
export function traceHeader(p: Palette, statements: number, on: string): string[] {
  return [p.bold(`dbopt migrate trace: ${statements} statements on ${on}`), ""];
}

/** A statement's SQL on one dimmed line, cut at 150 characters. */
export function traceSqlLine(p: Palette, sql: string): string {
  return p.dim(`  > ${sql.replace(/\s+/g, " ").slice(0, 150)}`);
}

/** The static findings on the statement at file:line, each with the trace's verdict on it. */
export function verdictLines(p: Palette, findings: Finding[], at: { file: string; line: number }): string[] {
  return findings
    .filter((f) => f.location?.file === at.file && f.location?.line === at.line)
    .map((f) => {
      const verdict = String(f.evidence.trace ?? "not traced");
      const paint = verdict === "confirmed" ? p.red : verdict === "contradicted" ? p.green : p.dim;
      return `  ${paint(verdict)} ${p.dim(f.ruleId)}: ${f.title}`;
    });
}

/** "N <what> confirmed by <by>, M contradicted". */
export function verdictTally(findings: Finding[], what: string, by: string): string {
  const count = (v: string) => findings.filter((f) => f.evidence.trace === v).length;
  return `${count("confirmed")} ${what} confirmed by ${by}, ${count("contradicted")} contradicted`;
}
