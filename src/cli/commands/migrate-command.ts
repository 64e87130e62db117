import type { Command } from "commander";
import { SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import type { MigrationLintReport } from "../../pipeline/lint-migrations.js";
import { LINT_FORMATS, type LintFormat } from "../../reporters/migration/lint-formats.js";
import { InputError } from "../../util/input-error.js";
import { addConnectionOptions, type ConnectionFlags, withConnection } from "../common-options.js";
import { EXIT } from "../exit-codes.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { wantColour, writeOutput } from "../output.js";

interface LintFlags extends ConnectionFlags {
  pgVersion?: string;
  dialect?: string;
  serverVersion?: string;
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
    .option(
      "--dialect <dialect>",
      "postgresql, mysql or mariadb (default: from the --db URL, else postgresql); MySQL/MariaDB: the algorithm and lock of each ALTER",
    )
    .option(
      "--server-version <version>",
      "MySQL or MariaDB version the migrations target, e.g. 8.0.35, 8.4, 10.11 (default: the --db server's, else 8.4 / 10.11)",
    )
    .option("--schema <dump.sql>", "pg_dump --schema-only file of the starting schema")
    .option(
      "--from <migration>",
      "lint from this migration on (part of its path or name); earlier files are read as applied, building the starting schema",
    )
    .option("--assume-in-transaction", "the migration runner wraps each file in a transaction")
    .option("--format <format>", `${LINT_FORMATS.join(", ")}, html`, "terminal")
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
    const checked = await parseOptions("migrate lint", { paths, ...flags }, (k) => ({
      paths: k.z.array(k.inputPath("a migration path")),
      pgVersion: k.wholeNumber("--pg-version", 13, 18).optional(),
      schema: k.inputFile("--schema").optional(),
      from: k.text("--from").optional(),
      set: k.ruleAssignments("--set").optional(),
      dialect: k.oneOf("--dialect", ["postgresql", "mysql", "mariadb"]).optional(),
      serverVersion: k.text("--server-version").optional(),
      ...connectionChecks(k, { mysql: true }),
      ...outputChecks(k, [...LINT_FORMATS, "html"] as const),
    }));
    const { overridesFrom } = await import("../rule-overrides.js");
    // MySQL/MariaDB: by --dialect or by a mysql:// / mariadb:// --db; the same reporters and exit codes.
    const mysqlUrl = /^(mysql|mariadb):\/\//i.test(flags.db?.trim() ?? "");
    if (checked.dialect === "postgresql" && mysqlUrl)
      throw new InputError(
        "--dialect postgresql needs a postgresql:// --db, got a MySQL/MariaDB URL",
        "give the PostgreSQL server's URL, or --dialect mysql|mariadb for this server's migrations",
      );
    if (checked.dialect === "mysql" || checked.dialect === "mariadb" || mysqlUrl) {
      if (flags.db && !mysqlUrl)
        throw new InputError(
          `--dialect ${checked.dialect} needs a mysql:// or mariadb:// --db`,
          "give the MySQL/MariaDB server's URL, or leave out --db",
        );
      // PostgreSQL's options mean nothing here: refused, never ignored.
      const pgOnly = [
        checked.pgVersion !== undefined && "--pg-version",
        checked.schema && "--schema",
        flags.assumeInTransaction && "--assume-in-transaction",
      ].filter((o): o is string => Boolean(o));
      if (pgOnly.length)
        throw new InputError(
          `${pgOnly.join(" and ")} ${pgOnly.length > 1 ? "are" : "is"} for PostgreSQL migrations`,
          "give --server-version for MySQL/MariaDB (or --db, which reads the tables and their sizes)",
        );
      const { lintMysqlMigrations } = await import("../../pipeline/lint-mysql-migrations.js");
      const { renderLint } = await import("../../reporters/migration/render-migration-lint.js");
      const { MYSQL_MIGRATION_RULES } = await import("../../rules/registry.js");
      const mysqlOptions = {
        ...(checked.dialect === "mysql" || checked.dialect === "mariadb" ? { dialect: checked.dialect } : {}),
        ...(checked.serverVersion ? { serverVersion: checked.serverVersion } : {}),
        ...(flags.from ? { from: flags.from } : {}),
        overrides: overridesFrom(flags.set, MYSQL_MIGRATION_RULES, "MySQL/MariaDB migration"),
      };
      const report = flags.db
        ? await (await import("../mysql-connection.js")).withMysqlConnection(flags, (db) =>
            lintMysqlMigrations(paths, mysqlOptions, db),
          )
        : await lintMysqlMigrations(paths, mysqlOptions);
      const mysqlFormat = checked.format ?? "terminal";
      await writeOutput(
        mysqlFormat === "html"
          ? (
              await import("../../reporters/migration/mysql-migration-lint-html.js")
            ).renderMysqlMigrationLintHtml(report)
          : renderLint(report, mysqlFormat, wantColour(mysqlFormat, flags)),
        flags.output,
      );
      const worst = Math.min(...report.findings.map((f) => SEVERITY_ORDER[f.severity]));
      setExitCode(worst <= SEVERITY_ORDER[checked.failOn ?? "error"] ? EXIT.findings : EXIT.ok);
      return;
    }
    if (checked.serverVersion)
      throw new InputError(
        "--server-version is for MySQL/MariaDB",
        "give --pg-version for PostgreSQL, or --dialect mysql|mariadb",
      );
    const { lintMigrations } = await import("../../pipeline/lint-migrations.js");
    const { renderLint } = await import("../../reporters/migration/render-migration-lint.js");
    const format: LintFormat | "html" = checked.format ?? "terminal";
    const failOn: Severity = checked.failOn ?? "error";
    const pgVersion = checked.pgVersion;
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
    const text =
      format === "html"
        ? (await import("../../reporters/migration/migration-lint-html.js")).renderMigrationLintHtml(report)
        : renderLint(report, format, wantColour(format, flags));
    await writeOutput(text, flags.output);
    const worst = Math.min(...report.findings.map((f) => SEVERITY_ORDER[f.severity]));
    setExitCode(worst <= SEVERITY_ORDER[failOn] ? EXIT.findings : EXIT.ok);
  });

  const trace = migrate
    .command("trace")
    .summary("run migrations on a throw-away database and record the locks and rewrites they really take")
    .description(
      "Run the migrations statement by statement on an embedded PostgreSQL 18 (or a sandbox database given with --db and --sandbox) after loading the starting schema, and record from pg_locks every table lock each statement holds, which tables it rewrites (relfilenode changes) and how long it runs. The lint findings are shown against what the server did: confirmed or contradicted.",
    )
    .argument("<paths...>", "migration files or folders")
    .option("--schema <dump.sql>", "starting schema: a pg_dump --schema-only file")
    .option(
      "--schema-from <url>",
      "starting schema: copied (no data) from this database with pg_dump, read-only",
    )
    .option(
      "--rows <table=N...>",
      "fill a table with N generated rows first, so scans and rewrites take real time",
    )
    .option("--from <migration>", "trace from this migration on; earlier files are applied untraced")
    .option(
      "--workload <file.sql>",
      "statements to re-plan on the schema before and after the migrations (default: --schema-from's pg_stat_statements)",
    )
    .option(
      "--db <url>",
      "run on this database instead of an embedded one: the migrations are applied for real",
    )
    .option("--sandbox", "confirm that --db is a throw-away database")
    .option(
      "--allow-dynamic-sql",
      "with --sandbox: run EXECUTEs of SQL text built at run time, which dbopt cannot check stay in the sandbox database",
    )
    .option("--format <format>", "terminal, json or html", "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal")
    .option("--debug", "show stack traces and details of errors");
  trace.action(async (paths: string[], flags: TraceFlags) => {
    const checked = await parseOptions("migrate trace", { paths, ...flags }, (k) => ({
      paths: k.z.array(k.inputPath("a migration path")),
      schema: k.inputFile("--schema").optional(),
      schemaFrom: k.postgresUrl("--schema-from").optional(),
      rows: k.tableRows("--rows").optional(),
      from: k.text("--from").optional(),
      workload: k.inputFile("--workload").optional(),
      db: k.databaseUrl("--db").optional(),
      format: k.oneOf("--format", ["terminal", "json", "html"] as const),
      output: k.outputFile("--output").optional(),
    }));
    if (checked.schema && checked.schemaFrom)
      throw new InputError("--schema and --schema-from both give the starting schema", "give one of them");
    // MySQL/MariaDB: the sandbox is the mysql:// / mariadb:// --db; the server is asked for each ALTER's algorithm.
    if (/^(mysql|mariadb):\/\//i.test(checked.db?.trim() ?? "")) {
      if (!flags.sandbox)
        throw new InputError(
          "migrate trace applies the migrations to --db",
          "pass --sandbox to confirm it is a throw-away copy of the database",
        );
      if (checked.schemaFrom || checked.rows)
        throw new InputError(
          "--schema-from and --rows are for PostgreSQL",
          "load the sandbox with the tables and rows to trace on (a copy of production), or give --schema FILE.sql",
        );
      const { resolveMysqlTarget } = await import("../../connectors/mysql/mysql-target.js");
      const { traceMysqlMigrations } = await import("../../pipeline/trace-mysql-migrations.js");
      const { renderMysqlTrace } = await import("../../reporters/migration/render-mysql-migration-trace.js");
      const terminalProgress = process.stderr.isTTY === true;
      const mysqlReport = await traceMysqlMigrations(paths, resolveMysqlTarget(checked.db ?? ""), {
        ...(checked.schema ? { schemaFile: checked.schema } : {}),
        ...(checked.from ? { from: checked.from } : {}),
        onProgress: (m) => {
          if (terminalProgress) process.stderr.write(`  … ${m}\n`);
        },
      });
      const mysqlFormat = checked.format;
      await writeOutput(
        mysqlFormat === "html"
          ? (await import("../../reporters/migration/mysql-migration-trace-html.js")).renderMysqlTraceHtml(
              mysqlReport,
            )
          : renderMysqlTrace(mysqlReport, mysqlFormat, wantColour(mysqlFormat, flags)),
        flags.output,
      );
      setExitCode(
        mysqlReport.findings.some((f) => f.severity === "error") ||
          mysqlReport.statements.some((t) => t.error)
          ? EXIT.findings
          : EXIT.ok,
      );
      return;
    }
    const { traceMigrationSet } = await import("../../pipeline/trace-migrations.js");
    const { renderTrace } = await import("../../reporters/migration/render-migration-trace.js");
    if (flags.db && !flags.sandbox)
      throw new InputError(
        "migrate trace applies the migrations to --db",
        "pass --sandbox to confirm it is a throw-away database, or leave out --db to use an embedded PostgreSQL 18",
      );
    const format = checked.format;
    const rows = checked.rows ?? {};
    const terminal = process.stderr.isTTY === true;
    const report = await traceMigrationSet(paths, {
      ...(flags.db ? { sandboxUrl: flags.db } : {}),
      ...(flags.allowDynamicSql ? { allowDynamicSql: true } : {}),
      ...(flags.schema ? { schemaFile: flags.schema } : {}),
      ...(flags.schemaFrom ? { schemaFrom: flags.schemaFrom } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      ...(checked.workload ? { workloadFile: checked.workload } : {}),
      rows,
      onProgress: (m) => {
        if (terminal) process.stderr.write(`  … ${m}\n`);
      },
    });
    const text =
      format === "html"
        ? (await import("../../reporters/migration/migration-trace-html.js")).renderMigrationTraceHtml(report)
        : renderTrace(report, format, wantColour(format, flags));
    await writeOutput(text, flags.output);
    setExitCode(
      report.findings.some((f) => f.severity === "error") || report.statements.some((t) => t.error)
        ? EXIT.findings
        : EXIT.ok,
    );
  });
}

interface TraceFlags {
  schema?: string;
  schemaFrom?: string;
  rows?: string[];
  from?: string;
  db?: string;
  sandbox?: boolean;
  allowDynamicSql?: boolean;
  format?: string;
  output?: string;
  color?: boolean;
}
