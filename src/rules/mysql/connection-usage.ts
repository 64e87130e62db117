import { numberOf } from "../../facts/collect-mysql/mysql-facts.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { warnShare: number };

/** The most connections open at once since the start against max_connections: at the limit clients are refused. */
export const mysqlConnectionUsage: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/connection-usage",
  family: "health",
  group: "activity",
  title: "Connections near max_connections",
  description:
    "Max_used_connections against max_connections: at the limit new clients get 'Too many connections'.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/too-many-connections.html`,
  options: {
    warnShare: { default: 0.85, description: "share of max_connections used from which it is reported" },
  },
  check({ mysql }, o) {
    const used = numberOf(mysql.status, "max_used_connections");
    const max = numberOf(mysql.variables, "max_connections");
    if (max === 0 || used / max < o.warnShare) return [];
    return [
      {
        ruleId: this.id,
        severity: used >= max ? "warning" : "info",
        title: `${used} of ${max} connections used at the peak`,
        detail: `Since the start, up to ${used} connections were open at once, of max_connections ${max}${numberOf(mysql.status, "connection_errors_max_connections") > 0 ? `; ${numberOf(mysql.status, "connection_errors_max_connections")} were refused` : ""}.`,
        evidence: {
          maxUsedConnections: used,
          maxConnections: max,
          refused: numberOf(mysql.status, "connection_errors_max_connections"),
        },
        fix: {
          note: "use a connection pool in the application (or ProxySQL / MariaDB's thread pool) before raising max_connections: each connection's buffers count against the RAM",
        },
        docsUrl: this.docsUrl,
        impact: used / max,
      },
    ];
  },
};
