import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { collectMysqlFacts } from "../facts/collect-mysql/collect-mysql-facts.js";
import type { MysqlFacts } from "../facts/collect-mysql/mysql-facts.js";
import type { MachineFacts } from "../facts/machine-facts.js";
import { rankFindings } from "../findings/finding.js";
import { mergeFindings } from "../findings/merge-findings.js";
import { withTimeShare } from "../findings/ranking.js";
import { mysqlUnusedIndex } from "../rules/mysql/unused-index.js";
import { MYSQL_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import type { CheckReport } from "./check-report.js";

export interface MysqlCheckOptions {
  machine?: MachineFacts;
  overrides?: RuleOverrides;
}

/** dbopt check on MySQL/MariaDB: the MySQL rules over the server's facts, as the same CheckReport. */
export function checkMysqlFacts(
  facts: MysqlFacts,
  target: string,
  options: MysqlCheckOptions = {},
): CheckReport {
  const findings = runRules(
    MYSQL_RULES,
    { mysql: facts, ...(options.machine ? { machine: options.machine } : {}) },
    options.overrides,
    "mysql",
  );
  const totalMs = facts.digests?.reduce((sum, d) => sum + d.totalMs, 0) ?? 0;
  return {
    kind: "check",
    target,
    server: {
      // Headers print it as is: the engine's name first (serverName in util/format.ts).
      version: `${facts.server.flavour === "mariadb" ? "MariaDB" : "MySQL"} ${facts.server.versionText}`,
      database: facts.server.database,
    },
    capturedAt: facts.capturedAt,
    statsAgeSeconds: facts.server.uptimeSeconds,
    findings: rankFindings(withTimeShare(mergeFindings(findings), totalMs)),
    notes: [...facts.notes, ...uptimeNotes(facts, options.overrides)],
  };
}

export async function checkMysqlDatabase(
  db: MysqlConnector,
  options: MysqlCheckOptions = {},
): Promise<{ report: CheckReport; facts: MysqlFacts }> {
  const facts = await collectMysqlFacts(db);
  return { report: checkMysqlFacts(facts, db.target.display, options), facts };
}

/** The unused-index check says nothing on a young server: say why, so silence is not read as "all used". */
function uptimeNotes(facts: MysqlFacts, overrides: RuleOverrides | undefined): string[] {
  const min =
    overrides?.[mysqlUnusedIndex.id]?.minUptimeSeconds ?? mysqlUnusedIndex.options.minUptimeSeconds.default;
  if (facts.indexUsage === null || facts.server.uptimeSeconds >= min) return [];
  return [
    `unused indexes not judged: the server started ${(facts.server.uptimeSeconds / 3600).toFixed(1)} h ago and its usage counters start at zero with it (judged from ${(min / 86_400).toFixed(0)} days; --set ${mysqlUnusedIndex.id}.minUptimeSeconds=N changes it)`,
  ];
}
