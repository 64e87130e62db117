/** Output of `dbopt migrate trace` on MySQL/MariaDB: per statement what the server accepted and how long it took. */
import type { MysqlMigrationTraceReport } from "../../pipeline/trace-mysql-migrations.js";
import { createPalette } from "../terminal/palette.js";
import { traceHeader, traceSqlLine, verdictLines, verdictTally } from "./trace-lines.js";

export function renderMysqlTrace(
  report: MysqlMigrationTraceReport,
  format: "terminal" | "json",
  colour = false,
): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  const p = createPalette(colour);
  const lines = traceHeader(p, report.statements.length, `${report.server} (sandbox ${report.database})`);
  for (const t of report.statements) {
    lines.push(`${p.bold(`${t.file}:${t.line}`)}  ${t.durationMs.toFixed(1)} ms`);
    lines.push(traceSqlLine(p, t.sql));
    for (const a of t.attempts)
      lines.push(
        a.accepted
          ? `  ${p.green("accepted")} ALGORITHM=${a.algorithm}${a.algorithm === "INSTANT" && !a.sql.includes("LOCK=NONE") ? "" : ", LOCK=NONE"}`
          : `  ${p.yellow("refused")}  ALGORITHM=${a.algorithm}: ${a.error}`,
      );
    if (t.ranAsWritten && !t.error)
      lines.push(`  ${p.red("no online form accepted:")} ran as written, writes blocked meanwhile`);
    if (t.error) lines.push(`  ${p.red("failed:")} ${t.error}`);
    lines.push(...verdictLines(p, report.findings, t));
    lines.push("");
  }
  lines.push(verdictTally(report.findings, "lint findings", "the server"));
  return `${lines.join("\n")}\n`;
}
