import { DbError } from "../connectors/db-error.js";
import type { MysqlConnector } from "../connectors/mysql/mysql-connector.js";
import { collectMysqlFacts } from "../facts/collect-mysql/collect-mysql-facts.js";
import type { MysqlDigest, MysqlFacts } from "../facts/collect-mysql/mysql-facts.js";
import { readStatementSamples } from "../facts/collect-mysql/statement-samples.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { mergeFindings } from "../findings/merge-findings.js";
import { withTimeShare } from "../findings/ranking.js";
import { MYSQL_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser } from "../util/sql-parser.js";
import type { AnalyzeReport, StatementReport } from "./analyze-report.js";
import type { MysqlCheckOptions } from "./check-mysql.js";
import { explainOnMysql } from "./explain-on-mysql.js";
import { reportOnPlan } from "./plan-report.js";

export interface MysqlAnalyzeOptions {
  /** Statements to explain, by total time. */
  top?: number;
  machine?: MysqlCheckOptions["machine"];
  overrides?: RuleOverrides;
  onProgress?: (message: string) => void;
}

/**
 * `dbopt analyze` on MySQL/MariaDB: the top statements of performance_schema's digests by time, each explained
 * (EXPLAIN FORMAT=JSON of a sample text the server kept) and run through the plan rules, with the digest's
 * counters (rows examined and sent, no index used, temporary tables on disk, sort merge passes) as evidence;
 * then the MySQL check rules, as the same AnalyzeReport as PostgreSQL's.
 */
export async function analyzeMysqlDatabase(
  db: MysqlConnector,
  options: MysqlAnalyzeOptions = {},
): Promise<{ report: AnalyzeReport; facts: MysqlFacts }> {
  const progress = options.onProgress ?? (() => {});
  // Merging findings reads index fixes with the SQL parser.
  await loadSqlParser();
  progress("reading the server's facts and statement digests");
  const caps = await db.capabilities();
  const facts = await collectMysqlFacts(db);
  const notes = [...facts.notes];
  const digests = facts.digests ?? [];
  const totalMs = digests.reduce((sum, d) => sum + d.totalMs, 0);
  const top = digests.slice(0, options.top ?? 10);
  const samples = await readStatementSamples(
    db,
    caps,
    top.map((d) => d.digest),
  );
  notes.push(...samples.notes);
  const statements: StatementReport[] = [];
  for (const [index, digest] of top.entries()) {
    progress(`explaining statement ${index + 1} of ${top.length}`);
    statements.push(
      await explainDigest(db, digest, samples.byDigest.get(digest.digest) ?? null, totalMs, options),
    );
  }
  // A digest whose plan already shows its full scan needs no second, vaguer finding from the digest rule.
  const scanned = new Set(
    statements
      .filter((s) => s.findings.some((f) => f.ruleId === "plan/mysql-full-scan"))
      .map((s) => s.queryId),
  );
  const checks = runRules(
    MYSQL_RULES,
    { mysql: facts, ...(options.machine ? { machine: options.machine } : {}) },
    options.overrides,
    "mysql",
  ).filter((f) => !(f.ruleId === "mysql/full-scan-statement" && scanned.has(String(f.evidence.digest))));
  const findings = rankFindings(
    withTimeShare(mergeFindings([...statements.flatMap((s) => s.findings), ...checks]), totalMs),
  );
  const report: AnalyzeReport = {
    kind: "analyze",
    target: db.target.display,
    server: {
      version: `${facts.server.flavour === "mariadb" ? "MariaDB" : "MySQL"} ${facts.server.versionText}`,
      database: facts.server.database,
    },
    capturedAt: facts.capturedAt,
    workload: {
      source: facts.digests
        ? "performance_schema.events_statements_summary_by_digest"
        : "none (performance_schema is off or unreadable)",
      statementsSeen: digests.length,
      statementsExplained: statements.filter((s) => s.plan).length,
      totalMs,
      // The digests count from the server's start (or a TRUNCATE of the summary table, which the server does not date).
      statsResetAt: new Date(Date.parse(facts.capturedAt) - facts.server.uptimeSeconds * 1000).toISOString(),
    },
    statements,
    findings,
    notes,
    advice: null,
  };
  return { report, facts };
}

/** The digest's counters per call, carried by every finding of its plan. */
function digestEvidence(d: MysqlDigest): Finding["evidence"] {
  const perCall = (n: number) => Math.round(n / Math.max(d.calls, 1));
  return {
    digest: d.digest,
    calls: d.calls,
    totalMs: Number(d.totalMs.toFixed(1)),
    rowsExaminedPerCall: perCall(d.rowsExamined),
    rowsSentPerCall: perCall(d.rowsSent),
    noIndexUsed: d.noIndexUsed,
    tmpDiskTables: d.tmpDiskTables,
    sortMergePasses: d.sortMergePasses,
  };
}

async function explainDigest(
  db: MysqlConnector,
  digest: MysqlDigest,
  sample: string | null,
  totalMs: number,
  options: MysqlAnalyzeOptions,
): Promise<StatementReport> {
  const base: StatementReport = {
    queryId: digest.digest,
    query: sample ?? digest.text,
    calls: digest.calls,
    totalMs: digest.totalMs,
    meanMs: digest.calls > 0 ? digest.totalMs / digest.calls : 0,
    share: totalMs > 0 ? digest.totalMs / totalMs : 0,
    planMethod: null,
    plan: null,
    planTree: null,
    findings: [],
    skipped: null,
  };
  if (!sample)
    return { ...base, skipped: "no sample text with its values: only the normalised digest is kept" };
  try {
    const run = await explainOnMysql(db, sample, { analyze: false });
    const planReport = reportOnPlan(run.plan, {
      source: `digest ${digest.digest}`,
      sql: sample,
      ...(options.overrides ? { overrides: options.overrides } : {}),
      withoutTree: true,
    });
    // The statement's time is shared among its findings by their weight in the estimated plan, so the time they
    // account for adds up to the digest's time at most: their share of the plan's cost (MySQL 8), or, when the
    // plan has no cost (MariaDB), the rows each one reads.
    const byCost = planReport.findings.some((f) => f.impact > 0);
    const weight = (f: Finding) => (byCost ? Math.max(f.impact, 0) : estimatedRows(f));
    const weights = planReport.findings.reduce((sum, f) => sum + weight(f), 0);
    const findings = planReport.findings.map(
      (f): Finding => ({
        ...f,
        evidence: { ...f.evidence, ...digestEvidence(digest) },
        timeMs: weights > 0 ? (weight(f) / weights) * digest.totalMs : 0,
        impact: weights > 0 ? (weight(f) / weights) * digest.totalMs : 0,
        query: sample,
      }),
    );
    return { ...base, planMethod: "estimate", plan: planReport.summary, planTree: run.plan, findings };
  } catch (error) {
    if (error instanceof DbError && error.isConnectionError) throw error;
    const why =
      error instanceof InputError || error instanceof DbError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    return { ...base, skipped: `EXPLAIN failed: ${why}` };
  }
}

/** The rows a MySQL plan finding reads, from its evidence (each plan rule names them its own way). */
function estimatedRows(f: Finding): number {
  const e = f.evidence;
  const n = e.rowsExamined ?? e.innerRows ?? e.rows ?? e.executions;
  return typeof n === "number" && n > 0 ? n : 0;
}
