import type { Trigger } from "../../facts/plan/plan-model.js";
import type { Snapshot } from "../../facts/snapshot.js";
import type { Finding } from "../../findings/finding.js";
import { formatMs, formatPercent, round3 } from "../../util/format.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { ident, list, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { PlanFacts } from "./plan-facts.js";

type Options = { minShare: number; minMs: number };

/**
 * Triggers that take a large share of a data-changing statement: user triggers, and the foreign-key triggers
 * that check or cascade, which are slow when the referencing columns have no index.
 */
export const slowTrigger: Rule<PlanFacts, Options> = {
  id: "plan/slow-trigger",
  family: "plan",
  title: "Trigger or foreign-key check takes much of the time",
  description:
    "Time spent in triggers, including the ones that enforce foreign keys. A foreign key whose referencing columns lack an index makes every delete or key update on the referenced table scan the referencing table.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK",
  options: {
    minShare: { default: 0.1, description: "trigger time as a share of execution time" },
    minMs: { default: 1, description: "trigger milliseconds" },
  },
  check({ analyzed, snapshot }, o) {
    const { plan } = analyzed;
    const total = plan.executionMs;
    if (!total) return [];
    return plan.triggers
      .filter((t) => t.timeMs !== null && t.timeMs >= o.minMs && t.timeMs / total >= o.minShare)
      .map((t): Finding => {
        const ms = t.timeMs ?? 0;
        const share = ms / total;
        const label = t.constraintName ? `foreign key ${t.constraintName}` : `trigger ${t.name}`;
        return {
          ruleId: this.id,
          severity: share >= 0.5 && ms >= 100 ? "error" : share >= 0.2 ? "warning" : "info",
          title: `${label}${t.relation ? ` on ${t.relation}` : ""} took ${formatMs(ms)} (${formatPercent(share)})`,
          detail: `It ran ${t.calls} times, ${formatMs(ms / Math.max(1, t.calls))} per call.`,
          evidence: {
            trigger: t.name || null,
            constraint: t.constraintName,
            relation: t.relation,
            ms: round3(ms),
            calls: t.calls,
            perCallMs: round3(ms / Math.max(1, t.calls)),
            share: round3(share),
          },
          fix: triggerFix(t, snapshot),
          docsUrl: this.docsUrl,
          impact: ms,
        };
      });
  },
};

function triggerFix(t: Trigger, snapshot: Snapshot | null | undefined): Finding["fix"] {
  if (!t.constraintName) {
    return {
      note: `Review the function behind trigger ${t.name}: it runs once per row; move set-based work to a statement-level trigger where possible.`,
    };
  }
  // Constraint names are unique per table only: prefer the one on (or referencing) the trigger's relation.
  const named =
    snapshot?.constraints.filter((c) => c.name === t.constraintName && c.type === "foreign") ?? [];
  const fk = named.find((c) => c.table === t.relation || c.refTable === t.relation) ?? named[0];
  if (!fk) {
    return {
      note: `Make sure the referencing columns of ${t.constraintName} have an index whose leading columns are exactly those columns; cascading deletes and updates also pay for the rows they change.`,
    };
  }
  const indexed = snapshot?.indexes.some(
    (i) =>
      i.table === fk.table &&
      i.tableSchema === fk.schema &&
      i.isValid &&
      i.predicate === null &&
      fk.columns.every((c, k) => i.columns[k] === quoteIdent(c)),
  );
  if (indexed) {
    return {
      note: `${fk.table}(${fk.columns.join(", ")}) is indexed: the time goes into the rows the cascade changes and the indexes and triggers on ${fk.table}.`,
    };
  }
  return {
    sql: sql`CREATE INDEX CONCURRENTLY ON ${qname(fk.schema, fk.table)} (${list(fk.columns.map(ident))});`,
    note: `${fk.table}(${fk.columns.join(", ")}) has no index, so each check of ${t.constraintName} scans ${fk.table}. CREATE INDEX CONCURRENTLY cannot run inside a transaction block.`,
  };
}
