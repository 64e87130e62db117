/** What the N+1 rule reads: runs of one statement shape after another statement, found in a log or in traces. */
import type { SqlDialect } from "../../facts/logs/n-plus-one.js";

export interface RepeatedRun {
  /** Where the runs happened: the parent span ("GET /orders"); null for a log's sessions. */
  where: string | null;
  /** The statement before each run (normalised, $n placeholders); null when nothing came before it. */
  source: string | null;
  /** The statement repeated (normalised, $n placeholders). */
  repeated: string;
  occurrences: number;
  repeats: { min: number; median: number; max: number };
  totalMs: number;
  /** All but one call's share of each run: the most one batched statement can save (it still does each row's work). */
  wastedMs: number;
  /** Occurrences that ran inside one explicit transaction; null when the source cannot tell (traces). */
  inTransaction: number | null;
  /** Occurrences whose repeats overlapped in time (Promise.all over rows); null for logs. */
  concurrent: number | null;
}

export interface NPlusOneFacts {
  runs: RepeatedRun[];
  /** All statement time the log or the traces recorded (ms): severity is also a share of it. */
  totalMs: number;
  /** The placeholders the fix is written with: `$1` (PostgreSQL) or `?` (MySQL/MariaDB). */
  dialect: SqlDialect;
}
