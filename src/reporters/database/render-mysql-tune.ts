import type { TuneReport } from "../../pipeline/tune-settings.js";

/**
 * The tune report for MySQL/MariaDB as text (terminal) or Markdown: the PostgreSQL reporters print an
 * ALTER SYSTEM script, which MySQL does not have, so the script here is the one tune-mysql.ts built.
 */
export function renderMysqlTune(report: TuneReport, script: string, markdown: boolean): string {
  const out: string[] = [];
  out.push(markdown ? `## dbopt tune: ${report.target ?? ""}` : `dbopt tune — ${report.target ?? ""}`, "");
  for (const r of report.recommendations) {
    const mark = r.changed ? "→" : "=";
    const evidence = Object.entries(r.evidence)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    out.push(
      markdown
        ? `- **${r.name}**: ${r.current ?? "?"} ${mark} ${r.recommended}${r.restart ? " (restart)" : ""}: ${r.reason} (${evidence})`
        : `  ${r.name.padEnd(26)} ${String(r.current ?? "?").padStart(12)} ${mark} ${r.recommended.padEnd(12)} ${r.reason}${r.restart ? " (restart)" : ""}\n  ${" ".repeat(26)} ${evidence}`,
    );
  }
  out.push("", markdown ? "```sql" : "To apply (review first):", "", script, markdown ? "```" : "");
  for (const note of report.notes) out.push(`${markdown ? "- " : "  note: "}${note}`);
  return `${out.join("\n")}\n`;
}
