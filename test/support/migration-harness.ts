/** Run one migration rule over SQL text, as `dbopt migrate lint` would over a file. */
import type { MigrationFacts, TableSize } from "../../src/facts/migration/migration-set.js";
import { readMigrationSet } from "../../src/facts/migration/migration-set.js";
import { checkFix } from "../../src/findings/checked-fix.js";
import type { Finding } from "../../src/findings/finding.js";
import { defaultOptions, type Rule } from "../../src/rules/rule.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";

export interface LintOptions {
  pgVersion?: number;
  assumeInTransaction?: boolean;
  /** Tables of the starting schema with their sizes in bytes. */
  existing?: Record<string, number>;
}

export async function lintSql(
  // biome-ignore lint/suspicious/noExplicitAny: any migration rule, whatever its options
  rule: Rule<MigrationFacts, any>,
  sql: string,
  options: LintOptions = {},
): Promise<Finding[]> {
  await loadSqlParser();
  const existing = options.existing
    ? new Map<string, TableSize>(
        Object.entries(options.existing).map(([t, bytes]) => [t, { rows: null, bytes }]),
      )
    : null;
  const facts = readMigrationSet([{ file: "m.sql", text: sql }], {
    pgVersion: options.pgVersion ?? 16,
    assumeInTransaction: options.assumeInTransaction ?? false,
    existing,
  });
  // As runRules does: every fix is parsed back (and throws under DBOPT_STRICT_SQL=1, which the tests set).
  return rule.check(facts, defaultOptions(rule)).map(checkFix);
}
