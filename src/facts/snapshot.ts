/**
 * Everything dbopt collects from a database, as plain JSON. The zod schema is the single definition: types are
 * inferred from it, and a snapshot file read with --snapshot is validated against it.
 */
import { z } from "zod";

const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();

export const ColumnSchema = z.object({
  name: z.string(),
  position: z.number(),
  type: z.string(),
  notNull: z.boolean(),
  default: nullableString,
  /** 'a' always / 'd' by default for identity columns, 's' for stored generated, '' otherwise. */
  identity: z.string(),
  generated: z.string(),
});

export const TableStatsSchema = z.object({
  seqScan: z.number(),
  seqTupRead: z.number(),
  idxScan: nullableNumber,
  idxTupFetch: nullableNumber,
  nTupIns: z.number(),
  nTupUpd: z.number(),
  nTupDel: z.number(),
  nTupHotUpd: z.number(),
  nLiveTup: z.number(),
  nDeadTup: z.number(),
  nModSinceAnalyze: z.number(),
  lastVacuum: nullableString,
  lastAutovacuum: nullableString,
  lastAnalyze: nullableString,
  lastAutoanalyze: nullableString,
  vacuumCount: z.number(),
  autovacuumCount: z.number(),
  analyzeCount: z.number(),
  autoanalyzeCount: z.number(),
  heapBlksRead: z.number(),
  heapBlksHit: z.number(),
});

export const TableSchema = z.object({
  oid: z.number(),
  schema: z.string(),
  name: z.string(),
  kind: z.enum(["table", "partitioned", "matview", "foreign"]),
  /** Partition parent, as schema.name, for partitions. */
  parent: nullableString,
  persistence: z.enum(["permanent", "unlogged", "temporary"]),
  rowsEstimate: z.number(),
  pages: z.number(),
  sizeBytes: z.number(),
  totalBytes: z.number(),
  options: z.array(z.string()),
  frozenXidAge: nullableNumber,
  minMxidAge: nullableNumber,
  columns: z.array(ColumnSchema),
  stats: TableStatsSchema.nullable(),
});

export const IndexSchema = z.object({
  oid: z.number(),
  schema: z.string(),
  name: z.string(),
  tableSchema: z.string(),
  table: z.string(),
  definition: z.string(),
  method: z.string(),
  /** Key columns then INCLUDE columns; expressions as PostgreSQL prints them. */
  columns: z.array(z.string()),
  keyColumnCount: z.number(),
  isUnique: z.boolean(),
  isPrimary: z.boolean(),
  isValid: z.boolean(),
  isReady: z.boolean(),
  predicate: nullableString,
  /** Constraint the index backs (primary key, unique, exclusion), if any. */
  constraint: nullableString,
  sizeBytes: z.number(),
  stats: z.object({ idxScan: z.number(), idxTupRead: z.number(), idxTupFetch: z.number() }).nullable(),
});

export const ConstraintSchema = z.object({
  schema: z.string(),
  table: z.string(),
  name: z.string(),
  type: z.enum(["primary", "unique", "foreign", "check", "exclusion", "not-null", "trigger"]),
  definition: z.string(),
  columns: z.array(z.string()),
  validated: z.boolean(),
  refSchema: nullableString,
  refTable: nullableString,
  refColumns: z.array(z.string()),
});

export const ColumnStatsSchema = z.object({
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  nullFrac: z.number(),
  avgWidth: z.number(),
  nDistinct: z.number(),
  correlation: nullableNumber,
  mostCommonValues: z.array(z.string()).nullable(),
  mostCommonFreqs: z.array(z.number()).nullable(),
  histogramBounds: z.array(z.string()).nullable(),
});

export const SettingSchema = z.object({
  name: z.string(),
  setting: z.string(),
  unit: nullableString,
  source: z.string(),
  bootValue: nullableString,
  resetValue: nullableString,
  pendingRestart: z.boolean(),
  context: z.string(),
  vartype: z.string(),
});

export const StatementSchema = z.object({
  queryId: z.string(),
  query: z.string(),
  userName: z.string(),
  toplevel: z.boolean(),
  calls: z.number(),
  totalMs: z.number(),
  meanMs: z.number(),
  minMs: z.number(),
  maxMs: z.number(),
  stddevMs: z.number(),
  rows: z.number(),
  planningMs: z.number(),
  sharedBlksHit: z.number(),
  sharedBlksRead: z.number(),
  sharedBlksDirtied: z.number(),
  sharedBlksWritten: z.number(),
  tempBlksRead: z.number(),
  tempBlksWritten: z.number(),
  blkReadMs: z.number(),
  blkWriteMs: z.number(),
});

export const WorkloadSchema = z.object({
  source: z.enum(["pg_stat_statements", "none"]),
  /** Why there is no workload, with what to do. */
  problem: nullableString,
  statsResetAt: nullableString,
  /** Totals over every statement pg_stat_statements holds, not only the ones kept here. */
  totalCalls: z.number(),
  totalMs: z.number(),
  statements: z.array(StatementSchema),
});

export const DatabaseStatsSchema = z.object({
  sizeBytes: z.number(),
  xactCommit: z.number(),
  xactRollback: z.number(),
  blksRead: z.number(),
  blksHit: z.number(),
  tempFiles: z.number(),
  tempBytes: z.number(),
  deadlocks: z.number(),
  statsResetAt: nullableString,
});

export const SnapshotSchema = z.object({
  format: z.literal("dbopt-snapshot/1"),
  capturedAt: z.string(),
  dboptVersion: z.string(),
  server: z.object({
    version: z.string(),
    versionNum: z.number(),
    database: z.string(),
    currentUser: z.string(),
    startedAt: nullableString,
    canMonitor: z.boolean(),
    isSuperuser: z.boolean(),
    extensions: z.record(z.string(), z.string()),
  }),
  database: DatabaseStatsSchema,
  tables: z.array(TableSchema),
  indexes: z.array(IndexSchema),
  constraints: z.array(ConstraintSchema),
  columnStats: z.array(ColumnStatsSchema),
  settings: z.array(SettingSchema),
  workload: WorkloadSchema,
});

export type Column = z.infer<typeof ColumnSchema>;
export type TableFacts = z.infer<typeof TableSchema>;
export type IndexFacts = z.infer<typeof IndexSchema>;
export type ConstraintFacts = z.infer<typeof ConstraintSchema>;
export type ColumnStats = z.infer<typeof ColumnStatsSchema>;
export type SettingFacts = z.infer<typeof SettingSchema>;
export type StatementFacts = z.infer<typeof StatementSchema>;
export type WorkloadFacts = z.infer<typeof WorkloadSchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Index the snapshot's tables and indexes by "schema.name" for the rules that look things up. */
export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}
