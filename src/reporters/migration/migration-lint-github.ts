/** `dbopt migrate lint --format github`: one GitHub workflow annotation per finding. */
import type { Finding } from "../../findings/finding.js";
import type { LintReport } from "./lint-formats.js";

export function migrationLintGithub(report: LintReport): string {
  return report.findings.map(githubLine).join("");
}

/** ::error file=...,line=...,col=...,title=...::message — property values escape %, \r, \n, : and ,. */
function githubLine(f: Finding): string {
  const level = f.severity === "info" ? "notice" : f.severity;
  const prop = (s: string) =>
    s
      .replace(/%/g, "%25")
      .replace(/\r/g, "%0D")
      .replace(/\n/g, "%0A")
      .replace(/:/g, "%3A")
      .replace(/,/g, "%2C");
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const where = f.location
    ? `file=${prop(f.location.file)},line=${f.location.line},col=${f.location.column},`
    : "";
  const message = `${f.title}. ${f.detail}${f.fix?.sql ? `\nFix:\n${f.fix.sql}` : ""}${f.fix?.note ? `\n${f.fix.note}` : ""}`;
  return `::${level} ${where}title=${prop(`${f.ruleId}`)}::${data(message)}\n`;
}
