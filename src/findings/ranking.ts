/**
 * One ranked list in three sections, so the order says what to do first:
 *
 * 1. "risk": a rule whose finding means an outage or a stall in waiting (transaction IDs or a sequence running
 *    out, an invalid index, sessions blocking others, unsafe settings), at warning or error. Ranked by severity.
 *    A healthy database has none, so they cost the timed list nothing; when there is one it must not be buried.
 * 2. "time": a finding with measured time (timeMs) or, for a plan that was not run, a share of its cost
 *    (costShare). Ranked by that, severity breaking ties: a seq scan costing 19% of the workload comes before one
 *    costing 2%, whatever their severities.
 * 3. "hygiene": everything else untimed (unused index bytes, a foreign key without an index that no slow
 *    statement shows, column types). Ranked by severity, then by the rule's own impact.
 *
 * Severity alone never lifts hygiene above time: an unused 10 GB index is "error" by its bytes, but it costs no
 * statement time.
 */

import { type Finding, SEVERITY_ORDER, type Section } from "./finding.js";

/** Rules whose findings are risks of an outage or a stall rather than a cost. */
const RISK_RULES: ReadonlySet<string> = new Set([
  "health/xid-wraparound",
  "health/sequence-near-limit",
  "health/invalid-index",
  "health/replication-lag",
  "health/blocking-chain",
  "health/idle-in-transaction",
  "health/long-running-query",
  "health/connection-usage",
  "config/unsafe-settings",
  "config/memory-settings",
]);

export const SECTION_ORDER: Record<Section, number> = { risk: 0, time: 1, hygiene: 2 };

export const SECTION_TITLES: Record<Section, string> = {
  risk: "Risks",
  time: "Costing time",
  hygiene: "Hygiene",
};

export function sectionOf(f: Finding): Section {
  if (RISK_RULES.has(f.ruleId) && f.severity !== "info") return "risk";
  if ((f.timeMs ?? 0) > 0 || (f.costShare ?? 0) > 0) return "time";
  return "hygiene";
}

/** Risks by severity, then what costs time by its ms (or cost share), then hygiene by severity; see above. */
export function rankFindings(findings: Finding[]): Finding[] {
  const placed = findings.map((f) => ({ ...f, section: sectionOf(f) }));
  return placed.sort(
    (a, b) =>
      SECTION_ORDER[a.section] - SECTION_ORDER[b.section] ||
      (a.section === "time"
        ? (b.timeMs ?? 0) - (a.timeMs ?? 0) || (b.costShare ?? 0) - (a.costShare ?? 0)
        : 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      b.impact - a.impact ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/** Each timed finding's share of all statement time, when that total is known. */
export function withTimeShare(findings: Finding[], totalMs: number): Finding[] {
  if (!(totalMs > 0)) return findings;
  return findings.map((f) => (f.timeMs === undefined ? f : { ...f, timeShare: f.timeMs / totalMs }));
}
