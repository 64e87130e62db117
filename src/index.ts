/**
 * dbopt as a library: everything the CLI does, as functions. Call `loadSqlParser()` once before the functions
 * that read SQL (explain, analyze, the rules).
 *
 *   import { loadSqlParser, parsePlan, reportOnPlan } from "dbopt";
 *   await loadSqlParser();
 *   const report = reportOnPlan(parsePlan(text), { source: "my plan" });
 */

export { DbError, type DbErrorCode } from "./connectors/db-error.js";
export {
  type EmbeddedServer,
  type EmbeddedServerOptions,
  startEmbeddedServer,
} from "./connectors/embedded/embedded-server.js";
export { type MysqlCapabilities, MysqlConnector } from "./connectors/mysql/mysql-connector.js";
export { MysqlSandbox, type MysqlSandboxOptions, SCRATCH_PREFIX } from "./connectors/mysql/mysql-sandbox.js";
export { isMysqlUrl, resolveMysqlTarget } from "./connectors/mysql/mysql-target.js";
export type { PgCapabilities } from "./connectors/postgres/capabilities.js";
export { type ConnectorOptions, PostgresConnector } from "./connectors/postgres/postgres-connector.js";
export { type PgTarget, resolveTarget } from "./connectors/postgres/target.js";
export { buildDemoDatabase } from "./demo/build-demo-database.js";
export { collectSnapshot, type SnapshotOptions } from "./facts/collect/collect-snapshot.js";
export { collectMysqlFacts } from "./facts/collect-mysql/collect-mysql-facts.js";
export type { MysqlFacts } from "./facts/collect-mysql/mysql-facts.js";
export { parseExplainJson } from "./facts/plan/explain-json-parser.js";
export { parseExplainText } from "./facts/plan/explain-text-parser.js";
export { type PlanInputOptions, parsePlan, parsePlans, unwrapPastedPlan } from "./facts/plan/plan-input.js";
export { type AnalyzedPlan, analyzePlan, type NodeMetrics } from "./facts/plan/plan-metrics.js";
export type { Plan, PlanNode } from "./facts/plan/plan-model.js";
export type { Snapshot } from "./facts/snapshot.js";
export { readSnapshot, writeSnapshot } from "./facts/snapshot-file.js";
export { type Finding, rankFindings, type Severity } from "./findings/finding.js";
export { mergeFindings } from "./findings/merge-findings.js";
export { collapsePartitionFindings, mergeByParent } from "./findings/partition-findings.js";
export { SECTION_TITLES, sectionOf, withTimeShare } from "./findings/ranking.js";
export { type AdviseCachingOptions, adviseCaching, type CachingReport } from "./pipeline/advise-caching.js";
export {
  type AdviceReport,
  type AdviseDatabaseOptions,
  adviseDatabase,
  type IndexRecommendation,
} from "./pipeline/advise-database.js";
export { adviseMysqlDatabase, type MysqlAdviseOptions } from "./pipeline/advise-mysql.js";
export {
  type AdvisePartitioningOptions,
  advisePartitioning,
  type PartitioningReport,
} from "./pipeline/advise-partitioning.js";
export { type AdviseScalingOptions, adviseScaling, type ScalingReport } from "./pipeline/advise-scaling.js";
export { type AnalyzeOptions, analyzeDatabase } from "./pipeline/analyze-database.js";
export { analyzeLogs, type LogOptions, type LogReport } from "./pipeline/analyze-logs.js";
export { analyzeMysqlDatabase, type MysqlAnalyzeOptions } from "./pipeline/analyze-mysql.js";
export type { AnalyzeReport, StatementReport } from "./pipeline/analyze-report.js";
export { analyzeTraces, type TraceReport } from "./pipeline/analyze-traces.js";
export { applyAdvice } from "./pipeline/apply-advice.js";
export {
  type BenchOptions,
  type BenchReport,
  benchWorkload,
} from "./pipeline/bench-workload.js";
export { type CheckOptions, checkDatabase, checkSnapshot } from "./pipeline/check-database.js";
export { checkMysqlDatabase, checkMysqlFacts } from "./pipeline/check-mysql.js";
export type { CheckReport } from "./pipeline/check-report.js";
export {
  type CollectOptions,
  type CollectRun,
  collectSamples,
  type SampleOutcome,
} from "./pipeline/collect-samples.js";
export {
  type ComparedSide,
  comparePlans,
  type PlanComparison,
  type PlanSource,
} from "./pipeline/compare-plans.js";
export {
  type DiffOptions,
  type DiffReport,
  type DiffSource,
  diffSnapshots,
} from "./pipeline/diff-snapshots.js";
export { type ExplainOptions, type ExplainRun, explainOnDatabase } from "./pipeline/explain-on-database.js";
export {
  explainOnMysql,
  explainStatementOnMysql,
  type MysqlExplainRun,
} from "./pipeline/explain-on-mysql.js";
export { explainPlanText, explainStatementOnDatabase } from "./pipeline/explain-plan.js";
export {
  findRegressions,
  type RegressionsOptions,
  type RegressionsReport,
  type StatementPresence,
  type TargetRegressions,
} from "./pipeline/find-regressions.js";
export { type LintOptions, lintMigrations, type MigrationLintReport } from "./pipeline/lint-migrations.js";
export {
  lintMysqlMigrations,
  type MysqlLintOptions,
  type MysqlMigrationLintReport,
} from "./pipeline/lint-mysql-migrations.js";
export { type ListedRule, listRules } from "./pipeline/list-rules.js";
export { planComparisonFindings } from "./pipeline/plan-comparison-findings.js";
export { type PlanReport, reportOnPlan } from "./pipeline/plan-report.js";
export {
  type ProvenRewrite,
  type RewriteOptions,
  type RewriteReport,
  type RewriteVerdict,
  rewriteStatements,
} from "./pipeline/rewrite-statements.js";
export { type DemoRun, runDemo } from "./pipeline/run-demo.js";
export { type RunningDashboard, type ServeOptions, serveDashboard } from "./pipeline/serve-dashboard.js";
export {
  type ExportReport,
  exportStoreSample,
  type ImportReport,
  importSnapshots,
} from "./pipeline/store-snapshots.js";
export { takeSnapshot } from "./pipeline/take-snapshot.js";
export {
  type MigrationTraceReport,
  type TraceOptions,
  traceMigrationSet,
} from "./pipeline/trace-migrations.js";
export {
  type MysqlMigrationTraceReport,
  type MysqlTraceOptions,
  traceMysqlMigrations,
} from "./pipeline/trace-mysql-migrations.js";
export { mysqlTuneScript, tuneMysqlDatabase, tuneMysqlFacts } from "./pipeline/tune-mysql.js";
export { type TuneMachine, type TuneReport, tuneSettings } from "./pipeline/tune-settings.js";
export { renderHtml } from "./reporters/database/database-html.js";
export { type Report, renderJson } from "./reporters/database/database-json.js";
export { renderMarkdown } from "./reporters/database/database-markdown.js";
export { renderTerminal } from "./reporters/database/database-terminal.js";
export {
  allRules,
  MYSQL_MIGRATION_RULES,
  MYSQL_RULES,
  PLAN_RULES,
  WORKLOAD_RULES,
} from "./rules/registry.js";
export type { Rule, RuleFamily } from "./rules/rule.js";
export { type RuleOverrides, runRules } from "./rules/run-rules.js";
export { InputError } from "./util/input-error.js";
export { loadSqlParser } from "./util/sql-parser.js";
export { DBOPT_VERSION } from "./version.js";
