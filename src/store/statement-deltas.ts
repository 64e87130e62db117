import type { StatementFacts } from "../facts/snapshot.js";

/** pg_stat_statements' cumulative counters of one entry, as the store keeps them. */
export interface StatementCounters {
  calls: number;
  totalMs: number;
  /** Sum of squared execution times: calls × (stddev² + mean²); its delta gives the interval's own stddev. */
  sumSqMs: number;
  rows: number;
  planMs: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  sharedBlksDirtied: number;
  sharedBlksWritten: number;
  tempBlksRead: number;
  tempBlksWritten: number;
  blkReadMs: number;
  blkWriteMs: number;
}

export const COUNTER_FIELDS = [
  "calls",
  "totalMs",
  "sumSqMs",
  "rows",
  "planMs",
  "sharedBlksHit",
  "sharedBlksRead",
  "sharedBlksDirtied",
  "sharedBlksWritten",
  "tempBlksRead",
  "tempBlksWritten",
  "blkReadMs",
  "blkWriteMs",
] as const satisfies ReadonlyArray<keyof StatementCounters>;

export function countersOf(s: StatementFacts): StatementCounters {
  return {
    calls: s.calls,
    totalMs: s.totalMs,
    sumSqMs: s.calls * (s.stddevMs * s.stddevMs + s.meanMs * s.meanMs),
    rows: s.rows,
    planMs: s.planningMs,
    sharedBlksHit: s.sharedBlksHit,
    sharedBlksRead: s.sharedBlksRead,
    sharedBlksDirtied: s.sharedBlksDirtied,
    sharedBlksWritten: s.sharedBlksWritten,
    tempBlksRead: s.tempBlksRead,
    tempBlksWritten: s.tempBlksWritten,
    blkReadMs: s.blkReadMs,
    blkWriteMs: s.blkWriteMs,
  };
}

/** What the store remembers of an entry from the last committed sample. */
export interface PreviousCounters {
  counters: StatementCounters;
  /** When they were read (the sampled server's clock). */
  readAt: Date;
}

export interface StatementDelta {
  delta: StatementCounters;
  /** The entry started again within the interval: the delta is what it counted since then. */
  restarted: boolean;
}

/** Why every entry's counters started again since the previous sample, or null. */
export type CounterRestart = "server restart" | "statistics reset" | null;

/**
 * Whether the whole of pg_stat_statements started again since the previous sample: the server restarted (its
 * start time is later than the previous sample) or every entry was reset (pg_stat_statements_info.stats_reset,
 * PostgreSQL 14+, moved past the previous sample).
 */
export function counterRestart(
  previousAt: Date,
  serverStartedAt: Date | null,
  statementsResetAt: Date | null,
): CounterRestart {
  if (serverStartedAt && serverStartedAt > previousAt) return "server restart";
  if (statementsResetAt && statementsResetAt > previousAt) return "statistics reset";
  return null;
}

/**
 * One entry's activity between the previous sample and this one. Counters only grow while an entry lives; when
 * they went down the entry was reset (pg_stat_statements_reset for its database, user or query) or evicted and
 * added again, and what it holds now is all it did since, so that is the delta. The same when the whole view
 * started again (`restartedAll`), when PostgreSQL 17+ says the entry is younger than the previous sample
 * (`statsSince`), or when the entry is new. No figure is ever negative, and nothing counted before the previous
 * sample is counted again.
 *
 * Returns null when there is nothing to compare with: a target's first sample, whose counters are the base of the
 * next delta but cover an unknown time themselves.
 */
export function statementDelta(options: {
  current: StatementCounters;
  previous: PreviousCounters | null;
  /** The target had a committed sample before this one. */
  targetHasPrevious: boolean;
  restartedAll: boolean;
  /** pg_stat_statements.stats_since (17+): when this entry started counting. */
  statsSince: Date | null;
}): StatementDelta | null {
  const { current, previous } = options;
  if (!options.targetHasPrevious) return null;
  // sumSqMs is derived from the mean and stddev, not counted: it is no evidence of a reset.
  const went =
    previous &&
    COUNTER_FIELDS.some(
      (f) => f !== "sumSqMs" && current[f] < previous.counters[f] - tolerance(f, previous.counters[f]),
    );
  const startedAgain =
    !previous ||
    options.restartedAll ||
    Boolean(went) ||
    (options.statsSince !== null && options.statsSince > previous.readAt);
  if (startedAgain) return { delta: clamped(current), restarted: previous !== null };
  const delta = {} as StatementCounters;
  for (const f of COUNTER_FIELDS) delta[f] = Math.max(0, current[f] - previous.counters[f]);
  // A float's rounding must not make calls without time, or time without calls.
  if (delta.calls === 0) delta.sumSqMs = 0;
  return { delta, restarted: false };
}

/** Sums of floating-point milliseconds may come back a hair smaller; counts must never go down. */
function tolerance(field: (typeof COUNTER_FIELDS)[number], value: number): number {
  return field.endsWith("Ms") ? Math.abs(value) * 1e-9 : 0;
}

function clamped(c: StatementCounters): StatementCounters {
  const out = {} as StatementCounters;
  for (const f of COUNTER_FIELDS) out[f] = Math.max(0, c[f]);
  return out;
}

/** Did the entry do anything in the interval? Idle entries are not written. */
export function isActive(delta: StatementCounters): boolean {
  return COUNTER_FIELDS.some((f) => delta[f] > 0);
}
