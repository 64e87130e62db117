/** `dbopt migrate lint` as a library function: files → migration set → migration rules → report. */
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { migrationSet } from "../facts/migration/migration-files.js";
import { readMigrationSet } from "../facts/migration/migration-set.js";
import {
  type StartingSchema,
  schemaFromDatabase,
  schemaFromDump,
} from "../facts/migration/starting-schema.js";
import type { Finding } from "../findings/finding.js";
import { MIGRATION_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";

export interface MigrationLintReport {
  kind: "migration-lint";
  /** The files linted; with --from, the earlier ones were read as applied. */
  files: string[];
  applied: number;
  statements: number;
  pgVersion: number;
  /** Where the starting schema came from: a dump, a database (with table sizes), or nothing (every table exists). */
  schemaSource: "dump" | "database" | "none";
  findings: Finding[];
}

export interface LintOptions {
  pgVersion?: number;
  assumeInTransaction?: boolean;
  schemaFile?: string;
  /** The first migration to lint: files before it are read as already applied (they build the starting schema). */
  from?: string;
  overrides?: RuleOverrides;
}

const SUPPORTED_VERSIONS = [13, 14, 15, 16, 17, 18];

export async function lintMigrations(
  paths: string[],
  options: LintOptions,
  db: PostgresConnector | null = null,
): Promise<MigrationLintReport> {
  const { all, first } = migrationSet(paths, options.from);
  const files = all.slice(first);
  const schema: StartingSchema | null = db
    ? await schemaFromDatabase(db)
    : options.schemaFile
      ? schemaFromDump(options.schemaFile)
      : null;
  const pgVersion = options.pgVersion ?? schema?.pgVersion ?? 16;
  if (!SUPPORTED_VERSIONS.includes(pgVersion))
    throw new InputError(`PostgreSQL ${pgVersion} is not supported`, "use --pg-version 13 to 18");
  const facts = readMigrationSet(
    all.map((file, i) => ({ file, applied: i < first })),
    {
      pgVersion,
      assumeInTransaction: options.assumeInTransaction ?? false,
      existing: schema?.existing ?? null,
      ...(schema ? { indexTables: schema.indexTables, columnTypes: schema.columnTypes } : {}),
      ...(schema?.constraints ? { constraints: schema.constraints } : {}),
    },
  );
  return {
    kind: "migration-lint",
    files,
    applied: first,
    statements: facts.statements.filter((s) => !s.applied).length,
    pgVersion,
    schemaSource: db ? "database" : options.schemaFile ? "dump" : "none",
    findings: runRules(MIGRATION_RULES, facts, options.overrides ?? {}),
  };
}
