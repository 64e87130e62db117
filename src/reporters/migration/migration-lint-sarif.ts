/** `dbopt migrate lint --format sarif`: SARIF 2.1.0 with the migration rules of the report's engine. */
import { MIGRATION_RULES, MYSQL_MIGRATION_RULES } from "../../rules/registry.js";
import { sarifLog } from "../sarif/sarif-log.js";
import type { LintReport } from "./lint-formats.js";

export function migrationLintSarif(report: LintReport) {
  const rules = "dialect" in report ? MYSQL_MIGRATION_RULES : MIGRATION_RULES;
  return sarifLog(
    rules.map((r) => ({ ...r, name: r.id.replace(/^migration(-mysql)?\//, "") })),
    report.findings,
  );
}
