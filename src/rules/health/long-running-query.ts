import type { Finding } from "../../findings/finding.js";
import { formatAge, round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minSeconds: number; errorSeconds: number };

/** Queries running for a long time: they hold snapshots back (no vacuum cleanup) and often locks. */
export const longRunningQuery: Rule<HealthFacts, Options> = {
  id: "health/long-running-query",
  family: "health",
  group: "activity",
  title: "Long-running query",
  description:
    "An active query that has run for minutes. Besides its own cost, its snapshot keeps VACUUM from removing rows deleted since it began, everywhere in the database.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW",
  options: {
    minSeconds: { default: 300, description: "seconds a query has been running" },
    errorSeconds: { default: 3600, description: "seconds that make it an error" },
  },
  check({ snapshot }, o) {
    return snapshot.activity.sessions
      .filter((s) => s.state === "active" && (s.queryAgeS ?? 0) >= o.minSeconds)
      .map(
        (s): Finding => ({
          ruleId: this.id,
          severity: (s.queryAgeS ?? 0) >= o.errorSeconds ? "error" : "warning",
          title: `pid ${s.pid} (${s.user}${s.application ? `, ${s.application}` : ""}) has run one query for ${formatAge(s.queryAgeS ?? 0)}`,
          detail: `${s.waitEventType ? `It is waiting on ${s.waitEventType}/${s.waitEvent}. ` : ""}Query: ${s.query.replace(/\s+/g, " ").slice(0, 200)}`,
          evidence: {
            pid: s.pid,
            user: s.user,
            application: s.application,
            seconds: round3(s.queryAgeS ?? 0),
            waitEvent: s.waitEvent,
            database: s.database,
          },
          fix: {
            sql: sql`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ${s.pid} AND state = 'active' AND query_start <= now() - make_interval(secs => ${Math.floor(s.queryAgeS ?? 0)});`,
            note: `The condition makes sure it is still the same query (a pid can be reused). pg_terminate_backend in place of pg_cancel_backend ends the whole session. Set statement_timeout for the role or application so runaway queries end by themselves.`,
          },
          docsUrl: this.docsUrl,
          impact: s.queryAgeS ?? 0,
          query: s.query,
        }),
      );
  },
};
