import { checkFix } from "../findings/checked-fix.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { defaultOptions, type Rule } from "./rule.js";

/** Per-rule option overrides: { "plan/seq-scan-filter": { minRemovedRows: 500 } }. */
export type RuleOverrides = Record<string, Record<string, number>>;

/**
 * Run rules over one set of facts; a rule that throws becomes a finding instead of stopping the run.
 * Every fix's SQL is parsed back (checkFix) before it leaves here: as PostgreSQL, or as MySQL for the MySQL/MariaDB
 * rules (`fixDialect`), whose backticks libpg-query cannot read.
 */
export function runRules<F>(
  // biome-ignore lint/suspicious/noExplicitAny: see registry.ts
  rules: readonly Rule<F, any>[],
  facts: F,
  overrides: RuleOverrides = {},
  fixDialect?: "mysql",
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const options = { ...defaultOptions(rule), ...overrides[rule.id] };
    try {
      const found = rule.check(facts, options);
      // A workload rule's impact is the statement time it is about (ms over the statistics period).
      findings.push(
        ...(rule.family === "workload"
          ? found.map((f) => (f.timeMs === undefined ? { ...f, timeMs: f.impact } : f))
          : found),
      );
    } catch (error) {
      findings.push({
        ruleId: rule.id,
        severity: "info",
        title: `rule ${rule.id} could not run`,
        detail: error instanceof Error ? error.message : String(error),
        evidence: {},
        docsUrl: rule.docsUrl,
        impact: 0,
      });
    }
  }
  const tagged = fixDialect
    ? findings.map((f) => (f.fix && !f.fix.dialect ? { ...f, fix: { ...f.fix, dialect: fixDialect } } : f))
    : findings;
  return rankFindings(tagged.map(checkFix));
}
