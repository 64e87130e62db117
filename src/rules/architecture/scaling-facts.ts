/** What the scaling rules (pooling, read replicas) read: activity samples, the statements and their traits. */
import type { MachineFacts } from "../../facts/machine-facts.js";
import type { ActivitySample, ActivitySamples } from "../../facts/scaling/activity-samples.js";
import type { StatementTraits } from "../../facts/scaling/statement-traits.js";
import type { OwnWriteCounts } from "../../facts/scaling/trace-own-writes.js";
import type { ReplicationFacts } from "../../facts/snapshot.js";

export interface ScalingStatement {
  queryId: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  traits: StatementTraits;
  /** A VOLATILE function outside pg_catalog the statement calls (it may write), else null. */
  volatileFunction: string | null;
  /** Marked by the user as tolerating replica lag (--lag-tolerant). */
  lagTolerant: boolean;
  /**
   * From traces and server logs: how often the statement ran after its own trace or session had written a table
   * it reads (in the same transaction, or within the window after the commit, for logs), and how often it ran at
   * all. Absent when neither showed it.
   */
  ownWrites?: OwnWriteCounts;
}

export interface ScalingFacts {
  activity: ActivitySamples;
  /** pg_stat_statements' statements of this database (the heaviest ones kept), without dbopt's own. */
  statements: ScalingStatement[];
  /** Totals over every statement pg_stat_statements holds for the database. */
  workloadTotalMs: number;
  workloadTotalCalls: number;
  /** Whether utility statements (SET, LISTEN, PREPARE) are recorded: pg_stat_statements.track_utility. */
  trackUtility: boolean | null;
  machine: MachineFacts;
  /** Effective spindles for the pool formula (1 for SSD or a cached working set unless the user says). */
  spindles: number;
  standbys: ReplicationFacts["standbys"];
  /** Whether traces were read to tell which reads follow their own writes. */
  tracesRead: boolean;
  /** Whether server logs were read for the same (absent: no). */
  logsRead?: boolean;
  /** With logs: how long after a session's commit its reads counted as reading its own writes. */
  ownWriteWindowMs?: number;
}

/** The nearest-rank percentile (p in 0..1) of values; 0 for none. */
export function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** Connections of one sample in these states ("idle in transaction" counts its aborted form too). */
export function connectionsIn(sample: ActivitySample, ...states: string[]): number {
  return sample.groups
    .filter((g) => states.some((s) => g.state === s || g.state.startsWith(`${s} (`)))
    .reduce((n, g) => n + g.connections, 0);
}

export function totalConnections(sample: ActivitySample): number {
  return sample.groups.reduce((n, g) => n + g.connections, 0);
}
