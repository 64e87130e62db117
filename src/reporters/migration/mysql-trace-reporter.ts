/** Output of `dbopt migrate trace` on MySQL/MariaDB: per statement what the server accepted and how long it took. */
import type { MysqlMigrationTraceReport } from "../../pipeline/trace-mysql-migrations.js";
import { createPalette } from "../palette.js";

export function renderMysqlTrace(
  report: MysqlMigrationTraceReport,
  format: "terminal" | "json",
  colour = false,
): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  const p = createPalette(colour);
  const lines = [
    p.bold(
      `dbopt migrate trace: ${report.statements.length} statements on ${report.server} (sandbox ${report.database})`,
    ),
    "",
  ];
  for (const t of report.statements) {
    const byThis = report.findings.filter((f) => f.location?.file === t.file && f.location?.line === t.line);
    lines.push(`${p.bold(`${t.file}:${t.line}`)}  ${t.durationMs.toFixed(1)} ms`);
    lines.push(p.dim(`  > ${t.sql.replace(/\s+/g, " ").slice(0, 150)}`));
    for (const a of t.attempts)
      lines.push(
        a.accepted
          ? `  ${p.green("accepted")} ALGORITHM=${a.algorithm}${a.algorithm === "INSTANT" && !a.sql.includes("LOCK=NONE") ? "" : ", LOCK=NONE"}`
          : `  ${p.yellow("refused")}  ALGORITHM=${a.algorithm}: ${a.error}`,
      );
    if (t.ranAsWritten && !t.error)
      lines.push(`  ${p.red("no online form accepted:")} ran as written, writes blocked meanwhile`);
    if (t.error) lines.push(`  ${p.red("failed:")} ${t.error}`);
    for (const f of byThis) {
      const verdict = String(f.evidence.trace ?? "not traced");
      const paint = verdict === "confirmed" ? p.red : verdict === "contradicted" ? p.green : p.dim;
      lines.push(`  ${paint(verdict)} ${p.dim(f.ruleId)}: ${f.title}`);
    }
    lines.push("");
  }
  const count = (v: string) => report.findings.filter((f) => f.evidence.trace === v).length;
  lines.push(
    `${count("confirmed")} lint findings confirmed by the server, ${count("contradicted")} contradicted`,
  );
  return `${lines.join("\n")}\n`;
}
