/** Every rule dbopt knows, by family, sorted by id. Add a rule here and it runs, documents and lists itself. */

import type { MigrationFacts } from "../facts/migration/migration-set.js";
import type { MysqlMigrationFacts } from "../facts/migration-mysql/mysql-migration-set.js";
import { bufferCache } from "./architecture/buffer-cache.js";
import { cacheResult } from "./architecture/cache-result.js";
import type { CachingFacts } from "./architecture/caching-facts.js";
import { distributionColumn } from "./architecture/distribution-column.js";
import type { DistributionFacts } from "./architecture/distribution-facts.js";
import { partitionTable } from "./architecture/partition-table.js";
import type { PartitioningFacts } from "./architecture/partitioning-facts.js";
import { poolSize } from "./architecture/pool-size.js";
import { poolerMode } from "./architecture/pooler-mode.js";
import { readReplicas } from "./architecture/read-replicas.js";
import type { ScalingFacts } from "./architecture/scaling-facts.js";
import { memorySettings } from "./config/memory-settings.js";
import { randomPageCost } from "./config/random-page-cost.js";
import { unsafeSettings } from "./config/unsafe-settings.js";
import { blockingChain } from "./health/blocking-chain.js";
import { cacheHitRatio } from "./health/cache-hit-ratio.js";
import { checkpoints } from "./health/checkpoints.js";
import { columnTypeSmell } from "./health/column-type-smell.js";
import { connectionUsage } from "./health/connection-usage.js";
import { deadTuples } from "./health/dead-tuples.js";
import { duplicateIndex } from "./health/duplicate-index.js";
import { fkTypeMismatch } from "./health/fk-type-mismatch.js";
import { fkWithoutIndex } from "./health/fk-without-index.js";
import type { HealthFacts } from "./health/health-facts.js";
import { hotUpdates } from "./health/hot-updates.js";
import { idleInTransaction } from "./health/idle-in-transaction.js";
import { indexBloat } from "./health/index-bloat.js";
import { invalidIndex } from "./health/invalid-index.js";
import { longRunningQuery } from "./health/long-running-query.js";
import { missingPrimaryKey } from "./health/missing-primary-key.js";
import { notValidConstraint } from "./health/not-valid-constraint.js";
import { nullHeavyIndex } from "./health/null-heavy-index.js";
import { partitionCatchAll } from "./health/partition-catch-all.js";
import { partitionMissingForeignKey } from "./health/partition-missing-foreign-key.js";
import { partitionMissingIndex } from "./health/partition-missing-index.js";
import { redundantIndex } from "./health/redundant-index.js";
import { replicationLag } from "./health/replication-lag.js";
import { sequenceNearLimit } from "./health/sequence-near-limit.js";
import { staleStatistics } from "./health/stale-statistics.js";
import { tableBloatCheck } from "./health/table-bloat.js";
import { tempFiles } from "./health/temp-files.js";
import { unusedIndex } from "./health/unused-index.js";
import { xidWraparound } from "./health/xid-wraparound.js";
import { type RegressionFacts, statementRegressed } from "./history/statement-regressed.js";
import { LOG_RULES } from "./log-rules.js";
import { addColumnConstraint } from "./migration/add-column-constraint.js";
import { addColumnRewrite } from "./migration/add-column-rewrite.js";
import { addNotNullColumnWithoutDefault } from "./migration/add-not-null-column-without-default.js";
import { alterColumnType } from "./migration/alter-column-type.js";
import { backfillInDdlTransaction } from "./migration/backfill-in-ddl-transaction.js";
import { concurrentIndexRetry } from "./migration/concurrent-index-retry.js";
import { concurrentlyInTransaction } from "./migration/concurrently-in-transaction.js";
import { constraintValidatedInPlace } from "./migration/constraint-validated-in-place.js";
import { createIndexNotConcurrent } from "./migration/create-index-not-concurrent.js";
import { detachPartitionNotConcurrent } from "./migration/detach-partition-not-concurrent.js";
import { domainConstraint } from "./migration/domain-constraint.js";
import { dropObject } from "./migration/drop.js";
import { dropDatabase } from "./migration/drop-database.js";
import { dropIndexNotConcurrent } from "./migration/drop-index-not-concurrent.js";
import { duplicateColumn } from "./migration/duplicate-column.js";
import { identifierTooLong } from "./migration/identifier-too-long.js";
import { missingLockTimeout } from "./migration/missing-lock-timeout.js";
import { planRegressed, type ReplanFacts } from "./migration/plan-regressed.js";
import { preferRobustTypes } from "./migration/prefer-robust-types.js";
import { renameObject } from "./migration/rename.js";
import { setNotNull } from "./migration/set-not-null.js";
import { tableRewriteMaintenance } from "./migration/table-rewrite-maintenance.js";
import { transactionNesting } from "./migration/transaction-nesting.js";
import { truncateCascade } from "./migration/truncate-cascade.js";
import { validateInSameTransaction } from "./migration/validate-in-same-transaction.js";
import { copyAlgorithm } from "./migration-mysql/copy-algorithm.js";
import { missingAlgorithmLock } from "./migration-mysql/missing-algorithm-lock.js";
import { noConcurrentDml } from "./migration-mysql/no-concurrent-dml.js";
import { refusedAlgorithm } from "./migration-mysql/refused-algorithm.js";
import { tableRebuild } from "./migration-mysql/table-rebuild.js";
import { transportTablespace } from "./migration-mysql/transport-tablespace.js";
import { unknownOperation } from "./migration-mysql/unknown-operation.js";
import { mysqlAutoIncrementNearLimit } from "./mysql/auto-increment-near-limit.js";
import { mysqlBufferPool } from "./mysql/buffer-pool.js";
import { mysqlConnectionUsage } from "./mysql/connection-usage.js";
import { mysqlDuplicateIndex } from "./mysql/duplicate-index.js";
import { mysqlFkTypeMismatch } from "./mysql/fk-type-mismatch.js";
import { mysqlFullScanStatement } from "./mysql/full-scan-statement.js";
import { mysqlIndexEndsWithPrimaryKey } from "./mysql/index-ends-with-primary-key.js";
import { mysqlMemoryOverRam } from "./mysql/memory-over-ram.js";
import { mysqlMissingPrimaryKey } from "./mysql/missing-primary-key.js";
import type { MysqlRuleFacts } from "./mysql/mysql-rule-facts.js";
import { mysqlNonInnodbTable } from "./mysql/non-innodb-table.js";
import { mysqlSlowLogSettings } from "./mysql/slow-log-settings.js";
import { mysqlSortMergePasses } from "./mysql/sort-merge-passes.js";
import { mysqlTmpDiskTables } from "./mysql/tmp-disk-tables.js";
import { mysqlUnusedIndex } from "./mysql/unused-index.js";
import { coldReads } from "./plan/cold-reads.js";
import { correlatedSubplan } from "./plan/correlated-subplan.js";
import { cteRescanned } from "./plan/cte-rescanned.js";
import { hashSpill } from "./plan/hash-spill.js";
import { heapFetches } from "./plan/heap-fetches.js";
import { hotNode } from "./plan/hot-node.js";
import { indexFilter } from "./plan/index-filter.js";
import { jitOverhead } from "./plan/jit-overhead.js";
import { largeOffset } from "./plan/large-offset.js";
import { lossyBitmap } from "./plan/lossy-bitmap.js";
import { memoizeMisses } from "./plan/memoize-misses.js";
import { mysqlDependentSubquery } from "./plan/mysql-dependent-subquery.js";
import { mysqlFilesortTemporary } from "./plan/mysql-filesort-temporary.js";
import { mysqlFilterEstimate } from "./plan/mysql-filter-estimate.js";
import { mysqlFullScan } from "./plan/mysql-full-scan.js";
import { mysqlJoinBuffer } from "./plan/mysql-join-buffer.js";
import { mysqlRowsExamined } from "./plan/mysql-rows-examined.js";
import { nestedLoopInner } from "./plan/nested-loop-inner.js";
import { notInSubquery } from "./plan/not-in-subquery.js";
import { parallelWorkersShort } from "./plan/parallel-workers-short.js";
import type { PlanFacts } from "./plan/plan-facts.js";
import { planningTime } from "./plan/planning-time.js";
import { rowMisestimate } from "./plan/row-misestimate.js";
import { seqScanFilter } from "./plan/seq-scan-filter.js";
import { slowTrigger } from "./plan/slow-trigger.js";
import { sortSpill } from "./plan/sort-spill.js";
import { topNFullScan } from "./plan/top-n-full-scan.js";
import type { Rule } from "./rule.js";
import { heavyStatement } from "./workload/heavy-statement.js";
import { repeatedLookup } from "./workload/repeated-lookup.js";
import { tempSpill } from "./workload/temp-spill.js";
import type { WorkloadRuleFacts } from "./workload/workload-facts.js";

// biome-ignore lint/suspicious/noExplicitAny: rules differ in their option shapes; each checks its own.
type AnyRule<F> = Rule<F, any>;

const byId = <F>(rules: AnyRule<F>[]) => [...rules].sort((a, b) => a.id.localeCompare(b.id));

/**
 * A plan rule runs on the plans of the dialects it declares (PostgreSQL's when it declares none): checked here
 * once, so no rule tests the engine itself.
 */
function forItsDialects(rule: AnyRule<PlanFacts>): AnyRule<PlanFacts> {
  const dialects: readonly string[] = rule.dialects ?? ["postgresql"];
  return {
    ...rule,
    check(facts, options) {
      return dialects.includes(facts.analyzed.plan.dialect ?? "postgresql") ? rule.check(facts, options) : [];
    },
  };
}

export const PLAN_RULES: readonly AnyRule<PlanFacts>[] = byId([
  coldReads,
  correlatedSubplan,
  cteRescanned,
  hashSpill,
  heapFetches,
  hotNode,
  indexFilter,
  jitOverhead,
  largeOffset,
  lossyBitmap,
  memoizeMisses,
  mysqlDependentSubquery,
  mysqlFilesortTemporary,
  mysqlFilterEstimate,
  mysqlFullScan,
  mysqlJoinBuffer,
  mysqlRowsExamined,
  nestedLoopInner,
  notInSubquery,
  parallelWorkersShort,
  planningTime,
  rowMisestimate,
  seqScanFilter,
  slowTrigger,
  sortSpill,
  topNFullScan,
]).map(forItsDialects);

export const WORKLOAD_RULES: readonly AnyRule<WorkloadRuleFacts>[] = byId([
  heavyStatement,
  repeatedLookup,
  tempSpill,
]);

/** Rules that read what logs and traces show (dbopt logs, dbopt traces). */
export { LOG_RULES };

/** Health checks and configuration checks: they read the snapshot (and the machine, when given). */
export const HEALTH_RULES: readonly AnyRule<HealthFacts>[] = byId([
  blockingChain,
  cacheHitRatio,
  checkpoints,
  columnTypeSmell,
  connectionUsage,
  deadTuples,
  duplicateIndex,
  fkTypeMismatch,
  fkWithoutIndex,
  hotUpdates,
  idleInTransaction,
  indexBloat,
  invalidIndex,
  longRunningQuery,
  memorySettings,
  missingPrimaryKey,
  notValidConstraint,
  nullHeavyIndex,
  partitionCatchAll,
  partitionMissingForeignKey,
  partitionMissingIndex,
  randomPageCost,
  redundantIndex,
  replicationLag,
  sequenceNearLimit,
  staleStatistics,
  tableBloatCheck,
  tempFiles,
  unsafeSettings,
  unusedIndex,
  xidWraparound,
]);

/** Migration rules: they read a migration set (dbopt migrate lint). */
export const MIGRATION_RULES: readonly AnyRule<MigrationFacts>[] = byId([
  addColumnConstraint,
  addColumnRewrite,
  addNotNullColumnWithoutDefault,
  alterColumnType,
  backfillInDdlTransaction,
  concurrentIndexRetry,
  concurrentlyInTransaction,
  constraintValidatedInPlace,
  createIndexNotConcurrent,
  detachPartitionNotConcurrent,
  domainConstraint,
  dropDatabase,
  dropIndexNotConcurrent,
  dropObject,
  duplicateColumn,
  identifierTooLong,
  missingLockTimeout,
  preferRobustTypes,
  renameObject,
  setNotNull,
  tableRewriteMaintenance,
  transactionNesting,
  truncateCascade,
  validateInSameTransaction,
]);

/** Rules on a migration's re-planned workload (dbopt migrate trace): plans before and after the migrations. */
export const REPLAN_RULES: readonly AnyRule<ReplanFacts>[] = byId([planRegressed]);

/** Architecture advice (dbopt advise scaling): pooling and read replicas from activity samples and the workload. */
export const ARCHITECTURE_RULES: readonly AnyRule<ScalingFacts>[] = byId([
  poolSize,
  poolerMode,
  readReplicas,
]);

/** Caching advice (dbopt advise caching): results worth caching in the application, and the buffer cache. */
export const CACHING_RULES: readonly AnyRule<CachingFacts>[] = byId([bufferCache, cacheResult]);

/** Sharding advice for a distributed PostgreSQL (Citus; run by dbopt advise partitioning): the distribution column. */
export const SHARDING_RULES: readonly AnyRule<DistributionFacts>[] = byId([distributionColumn]);

/** Partitioning advice (dbopt advise partitioning): large tables, their key and layout. */
export const PARTITIONING_RULES: readonly AnyRule<PartitioningFacts>[] = byId([partitionTable]);

/** Rules on a statement's figures over time (dbopt regressions, dbopt diff): one statement's two windows each. */
export const HISTORY_RULES: readonly AnyRule<RegressionFacts>[] = byId([statementRegressed]);

/**
 * MySQL/MariaDB checks (dbopt check --db mysql://...): they read MysqlFacts. Kept out of allRules() until the
 * README's rule table and the registry test know the mysql/ ids and MySQL documentation links.
 */
export const MYSQL_RULES: readonly AnyRule<MysqlRuleFacts>[] = byId([
  mysqlAutoIncrementNearLimit,
  mysqlBufferPool,
  mysqlConnectionUsage,
  mysqlDuplicateIndex,
  mysqlFkTypeMismatch,
  mysqlFullScanStatement,
  mysqlIndexEndsWithPrimaryKey,
  mysqlMemoryOverRam,
  mysqlMissingPrimaryKey,
  mysqlNonInnodbTable,
  mysqlSlowLogSettings,
  mysqlSortMergePasses,
  mysqlTmpDiskTables,
  mysqlUnusedIndex,
]);

/** MySQL/MariaDB migration rules (dbopt migrate lint --dialect mysql|mariadb): they read MysqlMigrationFacts. */
export const MYSQL_MIGRATION_RULES: readonly AnyRule<MysqlMigrationFacts>[] = byId([
  copyAlgorithm,
  missingAlgorithmLock,
  noConcurrentDml,
  refusedAlgorithm,
  tableRebuild,
  transportTablespace,
  unknownOperation,
]);

/** Every rule, sorted by id, for listings and documentation. */
export function allRules(): readonly AnyRule<unknown>[] {
  return byId([
    ...(PLAN_RULES as AnyRule<unknown>[]),
    ...(WORKLOAD_RULES as AnyRule<unknown>[]),
    ...(LOG_RULES as AnyRule<unknown>[]),
    ...(HEALTH_RULES as AnyRule<unknown>[]),
    ...(MIGRATION_RULES as AnyRule<unknown>[]),
    ...(REPLAN_RULES as AnyRule<unknown>[]),
    ...(HISTORY_RULES as AnyRule<unknown>[]),
    ...(ARCHITECTURE_RULES as AnyRule<unknown>[]),
    ...(CACHING_RULES as AnyRule<unknown>[]),
    ...(SHARDING_RULES as AnyRule<unknown>[]),
    ...(PARTITIONING_RULES as AnyRule<unknown>[]),
  ]);
}
