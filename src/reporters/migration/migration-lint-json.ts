/** `dbopt migrate lint --format json`: the documented shape. */
import type { LintReport } from "./lint-formats.js";

export function migrationLintJson(report: LintReport) {
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
