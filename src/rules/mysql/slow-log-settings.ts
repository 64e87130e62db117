import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { maxLongQueryTimeSeconds: number };

/** The slow query log is what `dbopt logs` and pt-query-digest read: off, or with a high threshold, it misses the workload. */
export const mysqlSlowLogSettings: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/slow-log-settings",
  family: "config",
  group: "settings",
  title: "Slow query log off or too coarse",
  description:
    "slow_query_log is off, or long_query_time is high: the statements worth tuning leave no trace for dbopt logs or pt-query-digest.",
  maxSeverity: "info",
  docsUrl: `${MYSQL_DOCS}/slow-query-log.html`,
  options: {
    maxLongQueryTimeSeconds: { default: 1, description: "long_query_time above which it is reported" },
  },
  check({ mysql }, o) {
    const on = ["on", "1"].includes((mysql.variables.slow_query_log ?? "").toLowerCase());
    const threshold = Number(mysql.variables.long_query_time ?? "10");
    if (on && threshold <= o.maxLongQueryTimeSeconds) return [];
    const target = Math.min(o.maxLongQueryTimeSeconds, 1);
    return [
      {
        ruleId: this.id,
        severity: "info",
        title: on ? `slow query log threshold is ${threshold} s` : "slow query log is off",
        detail: on
          ? `long_query_time is ${threshold} s: statements faster than that, which may make most of the load, are not logged.`
          : "slow_query_log is OFF: no statement is logged for dbopt logs or pt-query-digest to read.",
        evidence: {
          slowQueryLog: on,
          longQueryTimeSeconds: threshold,
          slowQueryLogFile: mysql.variables.slow_query_log_file ?? null,
        },
        fix: {
          sql: on
            ? sql`SET GLOBAL long_query_time = ${target}`
            : sql`SET GLOBAL slow_query_log = ON; SET GLOBAL long_query_time = ${target}`,
          note: "applies to new sessions; put the same settings in the config file to keep them after a restart, and rotate the file",
        },
        docsUrl: this.docsUrl,
        impact: 0,
      },
    ];
  },
};
