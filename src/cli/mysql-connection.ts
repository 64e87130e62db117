import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import type { RuleOverrides } from "../rules/run-rules.js";
import type { ConnectionFlags } from "./common-options.js";
import { parseDuration } from "./durations.js";

/** Connect to MySQL/MariaDB read-only with the user's timeouts, run the work, always disconnect. */
export async function withMysqlConnection<T>(
  flags: ConnectionFlags,
  work: (db: MysqlConnector) => Promise<T>,
): Promise<T> {
  const [{ MysqlConnector }, { resolveMysqlTarget }] = await Promise.all([
    import("../connectors/mysql/mysql-connector.js"),
    import("../connectors/mysql/mysql-target.js"),
  ]);
  const target = resolveMysqlTarget(flags.db ?? "");
  const db = await MysqlConnector.connect(target, {
    statementTimeoutMs: parseDuration(flags.statementTimeout ?? "30s", "--statement-timeout"),
    lockTimeoutMs: parseDuration(flags.lockTimeout ?? "2s", "--lock-timeout"),
  });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** --set for the MySQL rules (mysql/unused-index.minUptimeSeconds=0), checked against them. */
export async function mysqlOverridesFrom(assignments: string[] | undefined): Promise<RuleOverrides> {
  const { MYSQL_RULES } = await import("../rules/registry.js");
  const { overridesFrom } = await import("./rule-overrides.js");
  return overridesFrom(assignments, MYSQL_RULES, "MySQL/MariaDB");
}
