import type { Finding } from "../../findings/finding.js";
import { formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { warnShare: number; errorShare: number; minIdleShare: number };

/** Client connections against max_connections, and how many of them sit idle. */
export const connectionUsage: Rule<HealthFacts, Options> = {
  id: "health/connection-usage",
  family: "health",
  group: "activity",
  title: "Connections close to max_connections",
  description:
    "Client connections as a share of the connections available to ordinary roles (max_connections minus the reserved ones). New connections fail at the limit; many idle ones point at a missing pooler.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS",
  options: {
    warnShare: { default: 0.75, description: "share of available connections in use that is a warning" },
    errorShare: { default: 0.9, description: "share that is an error" },
    minIdleShare: { default: 0.5, description: "share of connections idle from which a pooler is suggested" },
  },
  check({ snapshot }, o) {
    const { connectionsByState, maxConnections, reservedConnections } = snapshot.activity;
    const used = Object.values(connectionsByState).reduce((a, b) => a + b, 0);
    const available = Math.max(1, maxConnections - reservedConnections);
    const share = used / available;
    if (share < o.warnShare) return [];
    const idle = connectionsByState.idle ?? 0;
    const idleShare = used > 0 ? idle / used : 0;
    const finding: Finding = {
      ruleId: this.id,
      severity: share >= o.errorShare ? "error" : "warning",
      title: `${used} of ${available} available connections in use (${formatPercent(share)})`,
      detail: `By state: ${Object.entries(connectionsByState)
        .map(([state, n]) => `${state} ${n}`)
        .join(
          ", ",
        )}.${idleShare >= o.minIdleShare ? ` ${formatPercent(idleShare)} are idle: a connection pooler (PgBouncer, or the application's pool size) would free them.` : ""}`,
      evidence: {
        connections: used,
        available,
        maxConnections,
        reservedConnections,
        share: round3(share),
        idle,
        idleShare: round3(idleShare),
      },
      fix: {
        note:
          idleShare >= o.minIdleShare
            ? "Put a transaction-mode pooler in front of the server, or lower the application's pool size; raising max_connections costs memory per connection."
            : "Most connections are busy: find what keeps them busy (long queries, lock waits) before raising max_connections.",
      },
      docsUrl: this.docsUrl,
      impact: share,
    };
    return [finding];
  },
};
