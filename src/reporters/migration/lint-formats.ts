import type { MigrationLintReport } from "../../pipeline/lint-migrations.js";
import type { MysqlMigrationLintReport } from "../../pipeline/lint-mysql-migrations.js";

/** The formats `dbopt migrate lint` writes (a module of its own: the CLI lists them before loading the reporters). */
export const LINT_FORMATS = ["terminal", "json", "github", "sarif"] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** PostgreSQL's report, or MySQL/MariaDB's (which names its flavour and version instead of pgVersion). */
export type LintReport = MigrationLintReport | MysqlMigrationLintReport;
