/**
 * The N+1 rule's verdict on each pattern a log or traces showed: the findings (ranked, fixes parsed back), and for
 * each pattern its severity, kind, why and batched rewrite as the report lists them. Shared by analyzeLogs and
 * analyzeTraces.
 */
import type { SqlDialect } from "../facts/logs/n-plus-one.js";
import type { Finding, Severity } from "../findings/finding.js";
import { LOG_RULES } from "../rules/log-rules.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import type { RepeatedRun } from "../rules/workload/n-plus-one-facts.js";

export interface NPlusOneVerdict {
  severity: Severity;
  /** loop: one call per row of the statement before it; batch: after a BEGIN or COMMIT, over no query's rows. */
  kind: "loop" | "batch";
  /** The finding's account of the pattern: where, how much, and why it is a loop or a batch. */
  why: string;
  /** The repeated statement batched into one (the fix's SQL), when its shape allows it. */
  rewrite: string | null;
  /** The rule's fix, in words fitted to the kind (loop or batch) and to a read or a write. */
  fixNote: string | null;
}

export function nPlusOneVerdicts(
  runs: RepeatedRun[],
  totalMs: number,
  dialect: SqlDialect,
  overrides: RuleOverrides = {},
): { findings: Finding[]; verdicts: NPlusOneVerdict[] } {
  const findings = runRules(LOG_RULES, { runs, totalMs, dialect }, overrides);
  const verdicts = runs.map((_, i): NPlusOneVerdict => {
    const f = findings.find((x) => x.evidence.pattern === i);
    return {
      severity: f?.severity ?? "info",
      kind: f?.evidence.kind === "batch" ? "batch" : "loop",
      why: f?.detail ?? "",
      rewrite: f?.fix?.sql ?? null,
      fixNote: f?.fix?.note ?? null,
    };
  });
  return { findings, verdicts };
}
