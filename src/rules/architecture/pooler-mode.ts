import type { SessionFeature } from "../../facts/scaling/statement-traits.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, oneLine } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { ScalingFacts, ScalingStatement } from "./scaling-facts.js";

/** What breaks under transaction pooling, and what to do instead, per kind of session state. */
const BREAKS: Record<SessionFeature, { what: string; instead: string }> = {
  set: {
    what: "SET (or set_config(..., false)) changes the session for whichever client gets the connection next",
    instead:
      "SET LOCAL inside the transaction, or ALTER ROLE / ALTER DATABASE ... SET for settings every session wants",
  },
  listen: {
    what: "LISTEN registers the server connection, which other clients share between transactions",
    instead: "a direct connection (or a session-mode pool) for the listeners only",
  },
  "advisory-lock": {
    what: "a session advisory lock stays with the server connection after the transaction, held for another client",
    instead: "pg_advisory_xact_lock, released at the end of the transaction",
  },
  prepare: {
    what: "SQL-level PREPARE names live on one server connection; the next transaction may get another",
    instead:
      "protocol-level prepared statements (the driver's), which PgBouncer 1.21+ tracks with max_prepared_statements",
  },
  "temp-table": {
    what: "a temporary table outlives the transaction on a connection other clients get",
    instead: "CREATE TEMP TABLE ... ON COMMIT DROP, or a regular table keyed by the job",
  },
  "cursor-with-hold": {
    what: "a cursor WITH HOLD stays open on the server connection after COMMIT",
    instead: "read it within the transaction, or keyset pagination",
  },
  load: { what: "LOAD loads a library into one server connection", instead: "session_preload_libraries" },
};

/**
 * Transaction or session pooling, from what the workload does: statements that leave session state (SET,
 * LISTEN, session advisory locks, SQL PREPARE, temporary tables, cursors WITH HOLD, LOAD) break transaction
 * mode; parameterised statements mean the extended protocol, whose named prepared statements need PgBouncer 1.21+.
 */
export const poolerMode: Rule<ScalingFacts, Record<string, never>> = {
  id: "architecture/pooler-mode",
  family: "architecture",
  title: "Pooler mode: transaction or session",
  description:
    "Transaction pooling serves many clients with few server connections, but breaks session state: SET, LISTEN, session advisory locks, SQL PREPARE, temporary tables and cursors WITH HOLD. The workload's statements say which mode it can use and what to change first.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-set.html",
  options: {},
  check(facts) {
    const users = new Map<SessionFeature, ScalingStatement[]>();
    for (const s of facts.statements)
      for (const f of s.traits.sessionFeatures) users.set(f, [...(users.get(f) ?? []), s]);
    const parameterised = facts.statements.filter((s) => /\$\d+/.test(s.query));
    const protocolNote =
      parameterised.length > 0
        ? ` ${parameterised.length} statements take $n parameters (the extended protocol): if the driver names its prepared statements, run PgBouncer 1.21 or later with max_prepared_statements set (e.g. 200), or turn the driver's statement cache off.`
        : "";
    const utilityNote =
      facts.trackUtility === false
        ? " pg_stat_statements.track_utility is off, so SET, LISTEN and PREPARE were not recorded: turn it on (or read the application's code) before relying on this."
        : "";
    const evidence: Finding["evidence"] = {
      statementsRead: facts.statements.length,
      parameterisedStatements: parameterised.length,
      trackUtility: facts.trackUtility,
    };
    for (const f of Object.keys(BREAKS) as SessionFeature[])
      evidence[`${f}Calls`] = (users.get(f) ?? []).reduce((n, s) => n + s.calls, 0);
    if (users.size === 0)
      return [
        {
          ruleId: this.id,
          severity: "info",
          title: "transaction pooling fits: no statement keeps session state",
          detail: `None of the ${facts.statements.length} statements read sets session state (SET, LISTEN, session advisory locks, SQL PREPARE, temporary tables, cursors WITH HOLD).${protocolNote}${utilityNote}`,
          evidence,
          fix: { note: "pool_mode = transaction." },
          docsUrl: this.docsUrl,
          impact: 0,
        },
      ];
    const lines = [...users.entries()].map(([f, list]) => {
      const calls = list.reduce((n, s) => n + s.calls, 0);
      const example = oneLine(list[0]?.query ?? "", 80);
      return `${BREAKS[f].what} (${list.length} statement${list.length === 1 ? "" : "s"}, ${formatCount(calls)} calls, e.g. ${example}); use ${BREAKS[f].instead}.`;
    });
    return [
      {
        ruleId: this.id,
        severity: "warning",
        title: `transaction pooling would break ${[...users.keys()].join(", ")}: change those first, or pool them in session mode`,
        detail: `${lines.join(" ")}${protocolNote}${utilityNote}`,
        evidence,
        fix: {
          note: "Change the statements as said, then pool_mode = transaction; until then give the clients that need session state a pool of their own with pool_mode = session (PgBouncer: a [databases] entry with pool_mode = session).",
        },
        docsUrl: this.docsUrl,
        impact: [...users.values()].flat().reduce((n, s) => n + s.calls, 0),
        query: users.values().next().value?.[0]?.query,
      },
    ];
  },
};
