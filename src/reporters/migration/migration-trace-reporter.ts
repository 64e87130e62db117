/** Output of `dbopt migrate trace`: per statement what the server did, then the static findings with verdicts. */
import type { MigrationTraceReport } from "../../pipeline/migration-trace.js";
import { createPalette } from "../palette.js";

export function renderTrace(
  report: MigrationTraceReport,
  format: "terminal" | "json",
  colour = false,
): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  const p = createPalette(colour);
  const lines = [
    p.bold(
      `dbopt migrate trace: ${report.statements.length} statements on ${report.server} (PostgreSQL ${report.pgVersion})`,
    ),
    "",
  ];
  for (const t of report.statements) {
    const byThis = report.findings.filter((f) => f.location?.file === t.file && f.location?.line === t.line);
    lines.push(
      `${p.bold(`${t.file}:${t.line}`)}  ${t.durationMs.toFixed(1)} ms${t.mode === "alone" ? p.dim(`  (outside a transaction: locks ${t.locks ? "watched from another session" : "not seen"})`) : ""}`,
    );
    lines.push(p.dim(`  > ${t.sql.replace(/\s+/g, " ").slice(0, 150)}`));
    if (t.error) lines.push(`  ${p.red("failed:")} ${t.error}`);
    else if (t.locks)
      lines.push(
        `  locks: ${t.locks.length ? t.locks.map((l) => `${l.mode} on ${l.table}`).join(", ") : "none on existing tables"}${t.rewritten.length ? p.yellow(`; rewrote ${t.rewritten.join(", ")}`) : ""}`,
      );
    else if (t.rewritten.length) lines.push(p.yellow(`  rewrote ${t.rewritten.join(", ")}`));
    for (const f of byThis) {
      const verdict = String(f.evidence.trace ?? "not traced");
      const paint = verdict === "confirmed" ? p.red : verdict === "contradicted" ? p.green : p.dim;
      lines.push(`  ${paint(verdict)} ${p.dim(f.ruleId)}: ${f.title}`);
    }
    lines.push("");
  }
  const count = (v: string) => report.findings.filter((f) => f.evidence.trace === v).length;
  lines.push(
    `${count("confirmed")} static findings confirmed by the trace, ${count("contradicted")} contradicted`,
  );
  return `${lines.join("\n")}\n`;
}
