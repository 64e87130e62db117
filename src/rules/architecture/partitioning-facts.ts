/** What the partitioning rules read: large tables, the columns their statements filter on, retention deletes. */

export interface PartitionKeyUse {
  column: string;
  /** The column's type as the catalog prints it. */
  type: string;
  /** time: a timestamp or date column filtered by ranges; tenant: a column filtered by equality in most statements. */
  kind: "time" | "tenant";
  /** Statements filtering on it, their calls and their time (ms over the statistics period). */
  statements: number;
  calls: number;
  timeMs: number;
  /** Distinct values (pg_stats), for list or hash partitioning by tenant. */
  distinct: number | null;
}

export interface PartitionTableFacts {
  schema: string;
  table: string;
  rows: number;
  totalBytes: number;
  /** How fast rows arrive, and where that was measured; null when nothing says. */
  growth: TableGrowth | null;
  keys: PartitionKeyUse[];
  /** Primary key and unique constraints, each its columns (they must include the partition key). */
  uniqueKeys: Array<{ name: string; columns: string[]; primary: boolean }>;
  /** Time span of the time column (pg_stats histogram ends), in days, and its ends. */
  span: { column: string; from: string; to: string; days: number } | null;
  /** A DELETE of old rows by the time column: the retention it enforces, in days when it says. */
  retention: { query: string; calls: number; timeMs: number; days: number | null } | null;
  /** Statement time spent on this table (ms), and its share of all statement time. */
  timeMs: number;
  timeShare: number;
}

export interface TableGrowth {
  /**
   * store: the history store's samples of the table (n_tup_ins deltas between the first and the last, at least a
   * day apart); time-span: the rows over the time column's span (pg_stats), the age of the data; insert-counter:
   * n_tup_ins over the age of the statistics.
   */
  source: "store" | "time-span" | "insert-counter";
  /** Rows arriving per day. */
  insertsPerDay: number;
  /** Bytes arriving per day: the inserts at the table's bytes per row (heap, indexes, TOAST); null when empty. */
  bytesPerDay: number | null;
  /** Net change of rows and total bytes per day (the store only: a retention takes rows away as they arrive). */
  netRowsPerDay: number | null;
  netBytesPerDay: number | null;
  /** The period measured, in days, and the store's samples in it (null for the other sources). */
  days: number | null;
  samples: number | null;
}

export interface PartitioningFacts {
  tables: PartitionTableFacts[];
  /** Tables already partitioned (left alone), by schema.name. */
  partitioned: string[];
}

/** Whole-day partition intervals dbopt proposes, smallest first. */
export const INTERVALS = [
  { name: "day", days: 1 },
  { name: "week", days: 7 },
  { name: "month", days: 30 },
  { name: "year", days: 365 },
] as const;
export type IntervalName = (typeof INTERVALS)[number]["name"];

/**
 * The interval for range partitions by time: with a retention, the largest that keeps at least 4 partitions in it
 * (dropping one then removes at most a quarter of the kept data); without, the one giving 12 to 60 partitions
 * over the data's span (fewer plans to prune, each partition still small enough to vacuum and index quickly).
 * Then, when the bytes arriving per day are known, a shorter interval while one partition would take more than
 * `maxPartitionBytes` (a day at the least).
 */
export function chooseInterval(
  spanDays: number,
  retentionDays: number | null,
  bytesPerDay: number | null = null,
  maxPartitionBytes = Number.POSITIVE_INFINITY,
): IntervalName {
  let at: number;
  if (retentionDays !== null) {
    const fit = [...INTERVALS].reverse().find((i) => retentionDays / i.days >= 4);
    at = INTERVALS.findIndex((i) => i.name === (fit?.name ?? "day"));
  } else {
    const fit = INTERVALS.find((i) => spanDays / i.days <= 60);
    at = INTERVALS.findIndex((i) => i.name === (fit?.name ?? "year"));
  }
  if (bytesPerDay !== null && bytesPerDay > 0)
    while (at > 0 && (INTERVALS[at]?.days ?? 1) * bytesPerDay > maxPartitionBytes) at--;
  return INTERVALS[at]?.name ?? "day";
}
