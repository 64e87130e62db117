/**
 * Output of `dbopt migrate lint` in the format asked for: terminal text, JSON in the documented shape, GitHub
 * workflow annotations, or SARIF 2.1.0 for code scanning.
 */
import type { LintFormat, LintReport } from "./lint-formats.js";
import { migrationLintGithub } from "./migration-lint-github.js";
import { migrationLintJson } from "./migration-lint-json.js";
import { migrationLintSarif } from "./migration-lint-sarif.js";
import { migrationLintTerminal } from "./migration-lint-terminal.js";

export { LINT_FORMATS, type LintFormat } from "./lint-formats.js";

export function renderLint(report: LintReport, format: LintFormat, colour = false): string {
  if (format === "json") return `${JSON.stringify(migrationLintJson(report), null, 2)}\n`;
  if (format === "github") return migrationLintGithub(report);
  if (format === "sarif") return `${JSON.stringify(migrationLintSarif(report), null, 2)}\n`;
  return migrationLintTerminal(report, colour);
}
