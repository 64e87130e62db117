import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import type { RuleOverrides } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
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
  const out: RuleOverrides = {};
  for (const assignment of assignments ?? []) {
    const m = /^([a-z]+\/[a-z0-9-]+)\.([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(assignment);
    const rule = m ? MYSQL_RULES.find((r) => r.id === m[1]) : undefined;
    if (!m || !rule) {
      throw new InputError(
        `--set ${assignment} names no MySQL/MariaDB rule`,
        `write it as rule-id.option=number; the MySQL rules are ${MYSQL_RULES.map((r) => r.id).join(", ")}`,
      );
    }
    if (!((m[2] as string) in rule.options)) {
      throw new InputError(
        `${m[1]} has no option ${m[2]}`,
        `its options are ${Object.keys(rule.options).join(", ") || "none"}`,
      );
    }
    out[m[1] as string] = { ...out[m[1] as string], [m[2] as string]: Number(m[3]) };
  }
  return out;
}
