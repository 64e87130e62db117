import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { lintMigrations, type MigrationLintReport } from "../../pipeline/lint-migrations.js";
import {
  LINT_FORMATS,
  type LintFormat,
  renderLint,
} from "../../reporters/migration/migration-lint-reporters.js";
import { colourWanted } from "../../reporters/palette.js";
import { InputError } from "../../util/input-error.js";
import { addConnectionOptions, type ConnectionFlags, withConnection } from "../common-options.js";
import { EXIT } from "../exit-codes.js";
import { overridesFrom } from "../machine-options.js";

interface LintFlags extends ConnectionFlags {
  pgVersion?: string;
  schema?: string;
  assumeInTransaction?: boolean;
  from?: string;
  format?: string;
  output?: string;
  color?: boolean;
  failOn?: string;
  set?: string[];
}

export function registerMigrate(program: Command, setExitCode: (code: number) => void): void {
  const migrate = program
    .command("migrate")
    .summary("schema migrations: lint for locks, rewrites and breaking changes")
    .description("Check schema migrations before they reach production.");
  const lint = migrate
    .command("lint")
    .summary("find the statements that lock, rewrite or break, with the safe recipe for each")
    .description(
      "Read .sql files and migration folders (Prisma migrations/*/migration.sql, Drizzle drizzle/*.sql, numbered files) in order, with PostgreSQL's own parser, and report each statement that would block reads or writes, rewrite a table, fail on production data or break the running application, with the lock it takes and the safe alternative. Tables created earlier in the same set are new and never reported. Exits 1 when an error is found.",
    )
    .argument("<paths...>", "migration files or folders, applied in the order given (folders: by file name)")
    .option(
      "--pg-version <major>",
      "PostgreSQL major version the migrations target, 13 to 18 (default: the --db server's, else 16)",
    )
    .option("--schema <dump.sql>", "pg_dump --schema-only file of the starting schema")
    .option(
      "--from <migration>",
      "lint from this migration on (part of its path or name); earlier files are read as applied, building the starting schema",
    )
    .option("--assume-in-transaction", "the migration runner wraps each file in a transaction")
    .option("--format <format>", `${LINT_FORMATS.join(", ")}`, "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal")
    .option("--fail-on <severity>", "exit 1 when a finding is at least this severe", "error")
    .option(
      "--set <rule.option=value...>",
      "change a rule's threshold, e.g. migration/set-not-null.smallTableBytes=0",
    )
    .option("--debug", "show stack traces and details of errors");
  addConnectionOptions(lint);
  lint.action(async (paths: string[], flags: LintFlags) => {
    const format = (flags.format ?? "terminal") as LintFormat;
    if (!LINT_FORMATS.includes(format))
      throw new InputError(`unknown format ${flags.format}`, `use one of ${LINT_FORMATS.join(", ")}`);
    const failOn = (flags.failOn ?? "error") as Severity;
    if (!(failOn in SEVERITY_ORDER))
      throw new InputError(`--fail-on ${flags.failOn} is not a severity`, "use error, warning or info");
    let pgVersion: number | undefined;
    if (flags.pgVersion !== undefined) {
      pgVersion = Number(flags.pgVersion);
      if (!Number.isInteger(pgVersion))
        throw new InputError(`--pg-version ${flags.pgVersion} is not a major version`, "use 13 to 18");
    }
    const options = {
      ...(pgVersion !== undefined ? { pgVersion } : {}),
      assumeInTransaction: Boolean(flags.assumeInTransaction),
      ...(flags.schema ? { schemaFile: flags.schema } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      overrides: overridesFrom(flags.set),
    };
    const report: MigrationLintReport = flags.db
      ? await withConnection(flags, (db) => lintMigrations(paths, options, db))
      : await lintMigrations(paths, options);
    const text = renderLint(
      report,
      format,
      format === "terminal" && flags.color !== false && !flags.output && colourWanted(process.stdout),
    );
    if (flags.output) await writeFile(flags.output, text);
    else process.stdout.write(text);
    const worst = Math.min(...report.findings.map((f) => SEVERITY_ORDER[f.severity]));
    setExitCode(worst <= SEVERITY_ORDER[failOn] ? EXIT.findings : EXIT.ok);
  });
}
