/**
 * `dbopt migrate lint --dialect mysql|mariadb` as a library function: files → MySQL migration set (each ALTER's
 * algorithm and lock on the target flavour and version) → the MySQL migration rules → the same report shape as
 * PostgreSQL's, so the terminal, JSON, GitHub and SARIF reporters print it.
 */
import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { migrationSet } from "../facts/migration/migration-files.js";
import { readMysqlMigrationSet } from "../facts/migration-mysql/mysql-migration-set.js";
import {
  type MysqlStartingSchema,
  mysqlSchemaFromDatabase,
} from "../facts/migration-mysql/mysql-starting-schema.js";
import type { Flavour, ServerVersion } from "../facts/migration-mysql/online-ddl-support.js";
import { MYSQL_MIGRATION_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
import type { MigrationLintReport } from "./lint-migrations.js";

export interface MysqlMigrationLintReport extends Omit<MigrationLintReport, "pgVersion"> {
  dialect: Flavour;
  /** "8.0.35", "10.11.0": the version the rules judged for. */
  serverVersion: string;
}

export interface MysqlLintOptions {
  dialect?: Flavour;
  /** "8.0.35", "8.4", "10.11". */
  serverVersion?: string;
  from?: string;
  overrides?: RuleOverrides;
}

/** The versions whose online DDL tables dbopt carries. */
const MYSQL_VERSIONS = "MySQL 8.0 to 9.x, MariaDB 10.6 to 11.x";
const DEFAULT_VERSION: Record<Flavour, string> = { mysql: "8.4.0", mariadb: "10.11.0" };

export async function lintMysqlMigrations(
  paths: string[],
  options: MysqlLintOptions,
  db: MysqlConnector | null = null,
): Promise<MysqlMigrationLintReport> {
  const { all, first } = migrationSet(paths, options.from);
  const schema: MysqlStartingSchema | null = db ? await mysqlSchemaFromDatabase(db) : null;
  if (schema && options.dialect && options.dialect !== schema.server.flavour)
    throw new InputError(
      `--dialect ${options.dialect} but the --db server is ${schema.server.flavour === "mysql" ? "MySQL" : "MariaDB"}`,
      "leave out --dialect: it is read from the server",
    );
  const server: ServerVersion = schema
    ? schema.server
    : parseServerVersion(options.dialect ?? "mysql", options.serverVersion);
  const connection = db ? { host: db.target.host, port: db.target.port, user: db.target.user } : null;
  const facts = readMysqlMigrationSet(
    all.map((file, i) => ({ file, applied: i < first })),
    server,
    schema,
    connection,
  );
  return {
    kind: "migration-lint",
    files: all.slice(first),
    applied: first,
    statements: facts.statements.filter((s) => !s.applied).length,
    dialect: server.flavour,
    serverVersion: schema
      ? server.version.join(".")
      : (options.serverVersion ?? DEFAULT_VERSION[server.flavour]),
    schemaSource: db ? "database" : "none",
    findings: runRules(MYSQL_MIGRATION_RULES, facts, options.overrides ?? {}, "mysql"),
  };
}

/** "8.0.35" / "8.4" / "10.11" for a flavour, checked against the versions whose tables dbopt has. */
function parseServerVersion(flavour: Flavour, text: string | undefined): ServerVersion {
  const raw = text ?? DEFAULT_VERSION[flavour];
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(raw.trim());
  if (!m)
    throw new InputError(
      `--server-version ${raw} is not a version`,
      "give major.minor or major.minor.patch: 8.0.35, 8.4, 10.11",
    );
  const version: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 99)];
  const [major, minor] = version;
  const supported =
    flavour === "mysql" ? major === 8 || major === 9 : (major === 10 && minor >= 6) || major === 11;
  if (!supported)
    throw new InputError(
      `${flavour === "mysql" ? "MySQL" : "MariaDB"} ${raw} is not covered by dbopt's online DDL tables`,
      `give a version of ${MYSQL_VERSIONS}`,
    );
  return { flavour, version };
}
