import { settingNumber, tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { warnAge: number; errorAge: number; warnMultixactAge: number; errorMultixactAge: number };

/** PostgreSQL stops assigning transaction ids about 2^31 - 3,000,000 ids after the oldest unfrozen one. */
const WRAPAROUND_LIMIT = 2_147_483_647 - 3_000_000;

/**
 * Tables whose oldest unfrozen transaction id (or multixact) is old: if autovacuum cannot freeze them in time,
 * the server stops accepting writes to prevent wraparound.
 */
export const xidWraparound: Rule<HealthFacts, Options> = {
  id: "health/xid-wraparound",
  family: "health",
  group: "maintenance",
  title: "Transaction-id or multixact age approaching wraparound",
  description:
    "age(relfrozenxid) and mxid_age(relminmxid) per table. Past autovacuum_freeze_max_age autovacuum must freeze the table; near 2 billion the server refuses writes. Long transactions, prepared transactions and replication slots can hold freezing back.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND",
  options: {
    warnAge: { default: 500_000_000, description: "transaction-id age that is a warning" },
    errorAge: { default: 1_200_000_000, description: "transaction-id age that is an error" },
    warnMultixactAge: { default: 800_000_000, description: "multixact age that is a warning" },
    errorMultixactAge: { default: 1_500_000_000, description: "multixact age that is an error" },
  },
  check({ snapshot }, o) {
    const freezeMax = settingNumber(snapshot, "autovacuum_freeze_max_age") ?? 200_000_000;
    const findings: Finding[] = [];
    for (const table of snapshot.tables) {
      for (const [kind, age, warn, error] of [
        ["transaction id", table.frozenXidAge, o.warnAge, o.errorAge],
        ["multixact", table.minMxidAge, o.warnMultixactAge, o.errorMultixactAge],
      ] as const) {
        if (age === null || age < warn) continue;
        const severity: Severity = age >= error ? "error" : "warning";
        const name = qname(table.schema, table.name);
        findings.push({
          ruleId: this.id,
          severity,
          title: `${table.name}: oldest ${kind} is ${formatCount(age)} old (${formatPercent(age / WRAPAROUND_LIMIT)} of the way to wraparound)`,
          detail: `Autovacuum must freeze tables past autovacuum_freeze_max_age (${formatCount(freezeMax)}); this one is ${age > freezeMax ? "past it, so an anti-wraparound vacuum should be running or blocked" : "not there yet"}. Writes stop near ${formatCount(WRAPAROUND_LIMIT)}.`,
          evidence: {
            table: table.name,
            kind,
            age,
            limit: WRAPAROUND_LIMIT,
            share: round3(age / WRAPAROUND_LIMIT),
            freezeMaxAge: freezeMax,
          },
          fix: {
            sql: sql`VACUUM (FREEZE, VERBOSE) ${name};`,
            note: "VACUUM cannot run inside a transaction block. If the age does not drop afterwards, something holds the oldest xmin: look for long-running or idle-in-transaction sessions, prepared transactions (pg_prepared_xacts) and replication slots.",
          },
          docsUrl: this.docsUrl,
          impact: age,
          objects: [tableObject(table)],
        });
      }
    }
    return findings;
  },
};
