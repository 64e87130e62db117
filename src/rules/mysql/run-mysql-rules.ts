import { type Finding, rankFindings } from "../../findings/finding.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { UnparsableSqlError } from "../../util/sql-text.js";
import { defaultOptions, type Rule } from "../rule.js";
import type { RuleOverrides } from "../run-rules.js";
import type { MysqlRuleFacts } from "./mysql-rule-facts.js";

/**
 * runRules for the MySQL rules: the same contract (a rule that throws becomes a finding, every fix checked
 * before it leaves), with MySQL's fix check in place of libpg-query's, which cannot read backticks.
 */
export function runMysqlRules(
  // biome-ignore lint/suspicious/noExplicitAny: rules differ in their option shapes; each checks its own.
  rules: readonly Rule<MysqlRuleFacts, any>[],
  facts: MysqlRuleFacts,
  overrides: RuleOverrides = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    try {
      findings.push(...rule.check(facts, { ...defaultOptions(rule), ...overrides[rule.id] }));
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
  return rankFindings(findings.map(checkMysqlFix));
}

/** As checked-fix.ts: thrown under DBOPT_STRICT_SQL=1, withheld with a note for users. */
function checkMysqlFix(finding: Finding): Finding {
  const text = finding.fix?.sql;
  if (!finding.fix || text === undefined) return finding;
  try {
    checkMysqlSql(text);
    return finding;
  } catch (error) {
    if (!(error instanceof UnparsableSqlError) || process.env.DBOPT_STRICT_SQL === "1") throw error;
    return {
      ...finding,
      fix: {
        note: `${finding.fix.note} (dbopt withheld the SQL of this fix: it did not check, which is a bug in dbopt)`,
      },
    };
  }
}
