/** Output of `dbopt migrate trace`: per statement what the server did, then the static findings with verdicts. */
import type { MigrationTraceReport } from "../../pipeline/trace-migrations.js";
import { createPalette, type Palette } from "../terminal/palette.js";
import { traceHeader, traceSqlLine, verdictLines, verdictTally } from "./trace-lines.js";

export function renderTrace(
  report: MigrationTraceReport,
  format: "terminal" | "json",
  colour = false,
): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  const p = createPalette(colour);
  const lines = traceHeader(p, report.statements.length, `${report.server} (PostgreSQL ${report.pgVersion})`);
  for (const t of report.statements) {
    lines.push(
      `${p.bold(`${t.file}:${t.line}`)}  ${t.durationMs.toFixed(1)} ms${t.mode === "alone" ? p.dim(`  (outside a transaction: locks ${t.locks ? "watched from another session" : "not seen"})`) : ""}`,
    );
    lines.push(traceSqlLine(p, t.sql));
    if (t.error) lines.push(`  ${p.red("failed:")} ${t.error}`);
    else if (t.locks)
      lines.push(
        `  locks: ${t.locks.length ? t.locks.map((l) => `${l.mode} on ${l.table}`).join(", ") : "none on existing tables"}${t.rewritten.length ? p.yellow(`; rewrote ${t.rewritten.join(", ")}`) : ""}`,
      );
    else if (t.rewritten.length) lines.push(p.yellow(`  rewrote ${t.rewritten.join(", ")}`));
    lines.push(...verdictLines(p, report.findings, t));
    lines.push("");
  }
  lines.push(verdictTally(report.findings, "static findings", "the trace"));
  lines.push(...replanLines(report, p));
  return `${lines.join("\n")}\n`;
}

/** The workload re-planned on the schema before and after: the plans that got worse, with where they diverge. */
function replanLines(report: MigrationTraceReport, p: Palette): string[] {
  const replanned = report.replanned ?? [];
  const lines = ["", p.bold(`Workload re-planned before and after the migrations: ${report.replanSource}`)];
  if (!replanned.length) return lines;
  const worse = replanned.filter((r) => r.worse);
  if (!worse.length) lines.push(p.green(`  no plan got worse (${replanned.length} statements planned)`));
  for (const r of worse) {
    lines.push(`  ${p.red("worse")} ${r.id}: ${r.sql.replace(/\s+/g, " ").slice(0, 120)}`);
    if (r.error) lines.push(`    ${p.red("no longer plans:")} ${r.error}`);
    else {
      lines.push(`    before: ${r.planBefore} (cost ${r.costBefore})`);
      lines.push(`    after:  ${r.planAfter} (cost ${r.costAfter}, ${r.factor}×)`);
      if (r.divergesAt)
        lines.push(`    diverge at ${r.divergesAt}${r.why.length ? `: ${r.why.join("; ")}` : ""}`);
    }
  }
  const changed = replanned.filter((r) => r.changed && !r.worse).length;
  lines.push(
    p.dim(
      `  ${replanned.length} statements planned: ${worse.length} worse, ${changed} changed but not costlier, ${replanned.length - worse.length - changed} unchanged`,
    ),
  );
  return lines;
}
