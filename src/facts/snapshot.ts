/**
 * Everything dbopt collects from a database, as plain JSON. The zod schema is the single definition: types are
 * inferred from it, and a snapshot file read with --snapshot is validated against it.
 */
import { z } from "zod";

const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();

const ColumnSchema = z.object({
  name: z.string(),
  position: z.number(),
  type: z.string(),
  notNull: z.boolean(),
  default: nullableString,
  /** 'a' always / 'd' by default for identity columns, 's' for stored generated, '' otherwise. */
  identity: z.string(),
  generated: z.string(),
});

const TableStatsSchema = z.object({
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
  /** Updates that moved the row to another page (16+); null before. */
  nTupNewpageUpd: nullableNumber,
  /** Inserts since the last vacuum (13+), which trigger insert-driven autovacuum. */
  nInsSinceVacuum: nullableNumber,
});

const TableSchema = z.object({
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
  /** Average bytes of a row's data from pg_stats (Σ (1 - null_frac) × avg_width); null until analyzed. */
  rowWidth: nullableNumber,
  /** Some column holds NULLs, so each row carries a null bitmap. */
  anyNulls: z.boolean(),
  columns: z.array(ColumnSchema),
  stats: TableStatsSchema.nullable(),
  /**
   * A partition's bound as pg_get_expr(relpartbound) prints it ("FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)",
   * "DEFAULT"); null for other tables. Absent in snapshots before it existed.
   */
  partitionBound: nullableString.optional(),
  /** A partitioned table's key as pg_get_partkeydef prints it ("RANGE (created_at)"); null for other tables. */
  partitionKey: nullableString.optional(),
  /**
   * A partitioned table's key columns in key order; null when a key item is an expression (then no primary key
   * or unique constraint is possible on it); empty for other tables.
   */
  partitionKeyColumns: z.array(z.string()).nullable().optional(),
});

const IndexSchema = z.object({
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
  pages: z.number(),
  rowsEstimate: z.number(),
  /** Average bytes of the key columns from pg_stats; null when some column has no statistics. */
  keyWidth: nullableNumber,
  stats: z.object({ idxScan: z.number(), idxTupRead: z.number(), idxTupFetch: z.number() }).nullable(),
  /** The partitioned index this partition's index is attached to, as schema.name; null when none. */
  parentIndex: nullableString.optional(),
  /**
   * What follows USING in pg_get_indexdef ("btree (at DESC, id) INCLUDE (x) WHERE (id > 0)"): the same index
   * built on another table of the partition tree. Null when the definition did not read as expected.
   */
  usingClause: nullableString.optional(),
});

const ConstraintSchema = z.object({
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
  /**
   * The constraint this one was cloned from (pg_constraint.conparentid): a partition's copy of a key or foreign
   * key declared on its partitioned parent. Null for a constraint declared on the table itself.
   */
  parent: z.object({ schema: z.string(), table: z.string(), name: z.string() }).nullable().optional(),
});

const ColumnStatsSchema = z.object({
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

const SettingSchema = z.object({
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

const StatementSchema = z.object({
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

const WorkloadSchema = z.object({
  source: z.enum(["pg_stat_statements", "none"]),
  /** Why there is no workload, with what to do. */
  problem: nullableString,
  statsResetAt: nullableString,
  /** Totals over every statement pg_stat_statements holds, not only the ones kept here. */
  totalCalls: z.number(),
  totalMs: z.number(),
  statements: z.array(StatementSchema),
});

const DatabaseStatsSchema = z.object({
  sizeBytes: z.number(),
  /**
   * pg_database_size summed over every database of the cluster the role may size (CONNECT or pg_read_all_stats):
   * what shares shared_buffers and the OS cache. Absent in snapshots before it existed.
   */
  clusterSizeBytes: z.number().optional(),
  /** Databases the role could not size, left out of clusterSizeBytes. */
  clusterDatabasesUnsized: z.number().optional(),
  xactCommit: z.number(),
  xactRollback: z.number(),
  blksRead: z.number(),
  blksHit: z.number(),
  tempFiles: z.number(),
  tempBytes: z.number(),
  deadlocks: z.number(),
  statsResetAt: nullableString,
});

const SequenceSchema = z.object({
  schema: z.string(),
  name: z.string(),
  dataType: z.string(),
  /** null when never used, or when the role may not read it (see readable). */
  lastValue: nullableNumber,
  /** The role has USAGE or SELECT on it, so lastValue is meaningful. */
  readable: z.boolean(),
  minValue: z.number(),
  maxValue: z.number(),
  increment: z.number(),
  cycle: z.boolean(),
  /** The column the sequence feeds (serial or identity), with that column's type. */
  ownedBy: z
    .object({ schema: z.string(), table: z.string(), column: z.string(), columnType: z.string() })
    .nullable(),
});

const SessionSchema = z.object({
  pid: z.number(),
  user: z.string(),
  application: z.string(),
  clientAddr: nullableString,
  database: nullableString,
  state: nullableString,
  waitEventType: nullableString,
  waitEvent: nullableString,
  /** Seconds since the transaction / query / state began; null when not applicable. */
  xactAgeS: nullableNumber,
  queryAgeS: nullableNumber,
  stateAgeS: nullableNumber,
  /** Sessions holding the locks this one waits for (pg_blocking_pids). */
  blockedBy: z.array(z.number()),
  /** The query text; "<insufficient privilege>" for other roles' sessions without pg_read_all_stats. */
  query: z.string(),
});

const ActivitySchema = z.object({
  sessions: z.array(SessionSchema),
  /** Client connections to the whole server, by state. */
  connectionsByState: z.record(z.string(), z.number()),
  maxConnections: z.number(),
  reservedConnections: z.number(),
  indexBuilds: z.array(
    z.object({
      pid: z.number(),
      table: z.string(),
      /** As regclass prints it: schema-qualified only off the search_path. */
      index: z.string(),
      /** Absent in snapshots taken before dbopt recorded it: those match by name alone. */
      indexOid: z.number().optional(),
      phase: z.string(),
    }),
  ),
});

const ReplicationSchema = z.object({
  inRecovery: z.boolean(),
  slots: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      active: z.boolean(),
      database: nullableString,
      retainedBytes: nullableNumber,
      walStatus: nullableString,
    }),
  ),
  standbys: z.array(
    z.object({
      application: z.string(),
      clientAddr: nullableString,
      state: nullableString,
      syncState: nullableString,
      replayLagS: nullableNumber,
      replayLagBytes: nullableNumber,
    }),
  ),
});

const CheckpointStatsSchema = z.object({
  source: z.enum(["pg_stat_bgwriter", "pg_stat_checkpointer"]),
  timed: z.number(),
  requested: z.number(),
  buffersWritten: z.number(),
  statsResetAt: nullableString,
  /** Checkpoints actually performed (pg_stat_checkpointer.num_done, 18+): timed ones skipped on an idle server are not in it. */
  done: z.number().nullable().optional(),
  /** pg_stat_wal.wal_bytes (14+): WAL written since pg_stat_wal's own stats_reset; null before 14. */
  walBytes: z.number().nullable().optional(),
  walStatsResetAt: nullableString.optional(),
  /** pg_postmaster_start_time() and the server's now(), to tell the period the counters cover. */
  serverStartedAt: nullableString.optional(),
  serverNow: nullableString.optional(),
});

/** Exact bloat from pgstattuple / pgstatindex, collected only on request (dbopt check --exact). */
const ExactBloatSchema = z.object({
  tables: z.array(
    z.object({
      schema: z.string(),
      name: z.string(),
      tableBytes: z.number(),
      liveBytes: z.number(),
      deadBytes: z.number(),
      freeBytes: z.number(),
    }),
  ),
  indexes: z.array(
    z.object({
      schema: z.string(),
      name: z.string(),
      indexBytes: z.number(),
      avgLeafDensity: z.number(),
      leafFragmentation: z.number(),
    }),
  ),
});

/** An object dbopt could not read (locked by another session, or not visible to the role), and why. */
const SkippedObjectSchema = z.object({
  schema: z.string(),
  name: z.string(),
  kind: z.string(),
  /** One line: "locked by pid 1234 (alice, idle in transaction) holding AccessExclusiveLock: ALTER TABLE ...". */
  reason: z.string(),
  lock: z
    .object({
      /** null for a prepared transaction. */
      pid: nullableNumber,
      mode: z.string(),
      /** false: the session waits for the lock (and everyone after it queues behind). */
      granted: z.boolean(),
      user: nullableString,
      state: nullableString,
      query: nullableString,
      heldSeconds: nullableNumber,
      /** Sessions the lock holder (or waiter) waits for. */
      blockedBy: z.array(z.number()),
      /** The index or TOAST table the lock is on, when not on the table itself. */
      on: nullableString,
    })
    .nullable(),
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
  sequences: z.array(SequenceSchema),
  activity: ActivitySchema,
  replication: ReplicationSchema,
  checkpoints: CheckpointStatsSchema.nullable(),
  exactBloat: ExactBloatSchema.nullable(),
  /** Objects left out of this snapshot (their facts are absent, not zero); absent in snapshots before it existed. */
  skipped: z.array(SkippedObjectSchema).optional(),
  /**
   * Facts this snapshot does not hold at all ("columns", "constraints", ...): one exported from the history store
   * (store/export-sample.ts). Checks that read them are not run on it. Absent in a snapshot of a database.
   */
  absent: z.array(z.string()).optional(),
});

export type Column = z.infer<typeof ColumnSchema>;
export type TableFacts = z.infer<typeof TableSchema>;
export type TableStats = z.infer<typeof TableStatsSchema>;
export type IndexFacts = z.infer<typeof IndexSchema>;
export type ConstraintFacts = z.infer<typeof ConstraintSchema>;
export type ColumnStats = z.infer<typeof ColumnStatsSchema>;
export type SettingFacts = z.infer<typeof SettingSchema>;
export type StatementFacts = z.infer<typeof StatementSchema>;
export type WorkloadFacts = z.infer<typeof WorkloadSchema>;
export type SequenceFacts = z.infer<typeof SequenceSchema>;
export type SessionFacts = z.infer<typeof SessionSchema>;
export type ActivityFacts = z.infer<typeof ActivitySchema>;
export type ReplicationFacts = z.infer<typeof ReplicationSchema>;
export type CheckpointStats = z.infer<typeof CheckpointStatsSchema>;
export type ExactBloat = z.infer<typeof ExactBloatSchema>;
export type SkippedObject = z.infer<typeof SkippedObjectSchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;
