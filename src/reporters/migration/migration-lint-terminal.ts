/** `dbopt migrate lint` on a terminal: location, lock, what it blocks, the safe SQL. */
import type { Severity } from "../../findings/finding.js";
import { createPalette } from "../terminal/palette.js";
import type { LintReport } from "./lint-formats.js";

const serverRules = (report: LintReport) =>
  "dialect" in report
    ? `${report.dialect === "mysql" ? "MySQL" : "MariaDB"} ${report.serverVersion} online DDL rules`
    : `PostgreSQL ${report.pgVersion} rules`;

export function migrationLintTerminal(report: LintReport, colour: boolean): string {
  const p = createPalette(colour);
  const paint: Record<Severity, (s: string) => string> = { error: p.red, warning: p.yellow, info: p.cyan };
  const lines = [
    p.bold(
      `dbopt migrate lint: ${report.files.length} file${report.files.length === 1 ? "" : "s"}${report.applied ? ` (after ${report.applied} applied)` : ""}, ${report.statements} statements, ${serverRules(report)}`,
    ),
    report.schemaSource === "none" && !report.applied
      ? p.dim(
          "no starting schema given (--schema or --db): every table not created by these files is taken to exist",
        )
      : p.dim(`starting schema from ${schemaSources(report).join(" and ")}`),
    "",
  ];
  const ordered = [...report.findings].sort(
    (a, b) =>
      (a.location?.file ?? "").localeCompare(b.location?.file ?? "") ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0),
  );
  for (const f of ordered) {
    const at = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : "";
    lines.push(`${p.bold(at)}  ${paint[f.severity](f.severity)}  ${p.dim(f.ruleId)}`);
    lines.push(`  ${f.title}`);
    if (f.query) lines.push(p.dim(`  > ${excerpt(f.query)}`));
    if (f.evidence.lock)
      lines.push(
        `  ${f.evidence.algorithm ? `ALGORITHM=${f.evidence.algorithm}, ` : ""}lock: ${f.evidence.lock}${f.objects?.[0] ? ` on ${f.objects[0]}` : ""}, blocks ${f.evidence.blocks}${f.evidence.rewrite ? ", rewrites the table" : ""}`,
      );
    lines.push(`  ${f.detail}`);
    if (f.fix?.sql)
      lines.push(...f.fix.sql.split("\n").map((l, i) => `  ${i === 0 ? p.green("fix:") : "    "} ${l}`));
    if (f.fix?.note)
      lines.push(
        ...f.fix.note.split("\n").map((l, i) => `  ${f.fix?.sql || i > 0 ? "     " : p.green("fix: ")}${l}`),
      );
    lines.push("");
  }
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  lines.push(
    report.findings.length === 0
      ? p.green("No hazards found.")
      : `${count("error")} errors, ${count("warning")} warnings, ${count("info")} notes`,
  );
  return `${lines.join("\n")}\n`;
}

function excerpt(sql: string): string {
  const one = sql.replace(/\s+/g, " ").trim();
  return one.length > 160 ? `${one.slice(0, 157)}...` : one;
}

function schemaSources(report: LintReport): string[] {
  const out: string[] = [];
  if (report.schemaSource === "dump") out.push("the dump");
  if (report.schemaSource === "database") out.push("the database (table sizes grade severity)");
  if (report.applied) out.push(`${report.applied} applied migration${report.applied === 1 ? "" : "s"}`);
  return out;
}
