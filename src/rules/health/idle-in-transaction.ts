import { settingMs } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatAge, round3 } from "../../util/format.js";
import { lines, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minSeconds: number };

/** Sessions that opened a transaction and went quiet: they keep their locks and hold back VACUUM. */
export const idleInTransaction: Rule<HealthFacts, Options> = {
  id: "health/idle-in-transaction",
  family: "health",
  group: "activity",
  title: "Session idle in transaction",
  description:
    "A session inside a transaction that is not running anything, usually an application that forgot to commit. It keeps every lock it took and its snapshot stops VACUUM cleanup.",
  maxSeverity: "error",
  docsUrl:
    "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT",
  options: { minSeconds: { default: 60, description: "seconds idle inside a transaction" } },
  check({ snapshot }, o) {
    const timeout = settingMs(snapshot, "idle_in_transaction_session_timeout") ?? 0;
    return snapshot.activity.sessions
      .filter((s) => (s.state ?? "").startsWith("idle in transaction") && (s.stateAgeS ?? 0) >= o.minSeconds)
      .map((s): Finding => {
        const blocking = snapshot.activity.sessions.filter((other) => other.blockedBy.includes(s.pid)).length;
        return {
          ruleId: this.id,
          severity: blocking > 0 || (s.xactAgeS ?? 0) >= 3600 ? "error" : "warning",
          title: `pid ${s.pid} (${s.user}${s.application ? `, ${s.application}` : ""}) idle in transaction for ${formatAge(s.stateAgeS ?? 0)}${blocking ? `, blocking ${blocking}` : ""}`,
          detail: `The transaction began ${formatAge(s.xactAgeS ?? 0)} ago. Last statement: ${s.query.replace(/\s+/g, " ").slice(0, 200)}`,
          evidence: {
            pid: s.pid,
            user: s.user,
            application: s.application,
            idleSeconds: round3(s.stateAgeS ?? 0),
            transactionSeconds: round3(s.xactAgeS ?? 0),
            blocking,
            idleInTransactionTimeoutMs: timeout,
          },
          fix: {
            sql: lines([
              sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ${s.pid} AND state = 'idle in transaction' AND xact_start <= now() - make_interval(secs => ${Math.floor(s.xactAgeS ?? 0)});`,
              timeout <= 0 && alterSystem("idle_in_transaction_session_timeout", "5min"),
            ]),
            note: "The condition makes sure it is still the same transaction (a pid can be reused); ending the session rolls the transaction back. Fix the code path that leaves the transaction open (a missing COMMIT, a transaction held across a network call).",
          },
          docsUrl: this.docsUrl,
          impact: s.stateAgeS ?? 0,
          query: s.query,
        };
      });
  },
};
