/**
 * Output of `dbopt migrate lint`: terminal text (location, lock, what it blocks, the safe SQL), JSON in the
 * documented shape, GitHub workflow annotations, and SARIF 2.1.0 for code scanning.
 */
import type { Finding, Severity } from "../../findings/finding.js";
import type { MigrationLintReport } from "../../pipeline/lint-migrations.js";
import type { MysqlMigrationLintReport } from "../../pipeline/lint-mysql-migrations.js";
import { MIGRATION_RULES, MYSQL_MIGRATION_RULES } from "../../rules/registry.js";
import { DBOPT_VERSION } from "../../version.js";
import { createPalette } from "../palette.js";

import type { LintFormat } from "./lint-formats.js";

export { LINT_FORMATS, type LintFormat } from "./lint-formats.js";

/** PostgreSQL's report, or MySQL/MariaDB's (which names its flavour and version instead of pgVersion). */
type LintReport = MigrationLintReport | MysqlMigrationLintReport;

const serverRules = (report: LintReport) =>
  "dialect" in report
    ? `${report.dialect === "mysql" ? "MySQL" : "MariaDB"} ${report.serverVersion} online DDL rules`
    : `PostgreSQL ${report.pgVersion} rules`;

export function renderLint(report: LintReport, format: LintFormat, colour = false): string {
  if (format === "json") return `${JSON.stringify(lintJson(report), null, 2)}\n`;
  if (format === "github") return report.findings.map(githubLine).join("");
  if (format === "sarif") return `${JSON.stringify(sarif(report), null, 2)}\n`;
  return terminal(report, colour);
}

function lintJson(report: LintReport) {
  return {
    kind: report.kind,
    files: report.files,
    applied: report.applied,
    statements: report.statements,
    ...("dialect" in report
      ? { dialect: report.dialect, serverVersion: report.serverVersion }
      : { pgVersion: report.pgVersion }),
    schemaSource: report.schemaSource,
    findings: report.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      file: f.location?.file ?? null,
      line: f.location?.line ?? null,
      column: f.location?.column ?? null,
      statement: f.query ?? null,
      lock: f.evidence.lock ?? null,
      blocks: f.evidence.blocks ?? null,
      rewrite: f.evidence.rewrite === true,
      // MySQL/MariaDB: the algorithm the server will use, and the table's size when --db gave it.
      ...(f.evidence.algorithm
        ? { algorithm: f.evidence.algorithm, tableBytes: f.evidence.tableBytes ?? null }
        : {}),
      table: f.objects?.[0] ?? null,
      title: f.title,
      detail: f.detail,
      fix: f.fix ?? null,
      docsUrl: f.docsUrl,
    })),
  };
}

function terminal(report: LintReport, colour: boolean): string {
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

function sarif(report: LintReport) {
  const level = (s: Severity) => (s === "info" ? "note" : s);
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "dbopt",
            version: DBOPT_VERSION,
            rules: ("dialect" in report ? MYSQL_MIGRATION_RULES : MIGRATION_RULES).map((r) => ({
              id: r.id,
              name: r.id.replace(/^migration(-mysql)?\//, ""),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              helpUri: r.docsUrl,
              defaultConfiguration: { level: level(r.maxSeverity) },
            })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          level: level(f.severity),
          message: { text: `${f.title}. ${f.detail}${f.fix?.sql ? ` Fix: ${f.fix.sql}` : ""}` },
          locations: f.location
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: f.location.file.replace(/\\/g, "/") },
                    region: { startLine: f.location.line, startColumn: f.location.column },
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
}

function schemaSources(report: LintReport): string[] {
  const out: string[] = [];
  if (report.schemaSource === "dump") out.push("the dump");
  if (report.schemaSource === "database") out.push("the database (table sizes grade severity)");
  if (report.applied) out.push(`${report.applied} applied migration${report.applied === 1 ? "" : "s"}`);
  return out;
}
