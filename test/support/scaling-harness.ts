/** Facts for the architecture rules' unit tests (scaling, caching): samples, statements and tables by hand. */
import type { ActivityGroup, ActivitySample } from "../../src/facts/scaling/activity-samples.js";
import { statementTraits } from "../../src/facts/scaling/statement-traits.js";
import type { CacheStatement, CacheTable, CachingFacts } from "../../src/rules/architecture/caching-facts.js";
import type { ScalingFacts, ScalingStatement } from "../../src/rules/architecture/scaling-facts.js";

/** One sample with `n` connections in each state given. */
export function sampleOf(states: Record<string, number>, xactAges: number[] = []): ActivitySample {
  const groups: ActivityGroup[] = Object.entries(states).map(([state, connections]) => ({
    state,
    application: "app",
    user: "app",
    clientAddr: "10.0.0.7",
    database: "shop",
    connections,
    lockWaits: 0,
    oldestXactS: null,
  }));
  return { atMs: 0, groups, openXactAgesS: xactAges };
}

/** A statement as pg_stat_statements shows it, its traits read from its text (load the parser first). */
export function statementOf(
  query: string,
  calls: number,
  totalMs: number,
  extra: Partial<ScalingStatement> = {},
) {
  return {
    queryId: String(query.length * 7919 + calls),
    query,
    calls,
    totalMs,
    meanMs: totalMs / calls,
    traits: statementTraits(query),
    volatileFunction: null,
    lagTolerant: false,
    ...extra,
  } satisfies ScalingStatement;
}

export function scalingFacts(partial: Partial<ScalingFacts>): ScalingFacts {
  const statements = partial.statements ?? [];
  return {
    activity: {
      samples: [],
      intervalMs: 1000,
      maxConnections: 100,
      reservedConnections: 3,
      sessionTotals: null,
    },
    statements,
    workloadTotalMs: statements.reduce((n, s) => n + s.totalMs, 0),
    workloadTotalCalls: statements.reduce((n, s) => n + s.calls, 0),
    trackUtility: true,
    machine: {},
    spindles: 1,
    standbys: [],
    tracesRead: false,
    ...partial,
  };
}

/** A table as the caching rules read it. */
export function cacheTableOf(name: string, partial: Partial<CacheTable> = {}): CacheTable {
  const [schema, table] = name.includes(".") ? (name.split(".") as [string, string]) : ["public", name];
  return {
    schema,
    table,
    name: `${schema}.${table}`,
    rows: 10_000,
    changesPerSecond: 0,
    rowChangesPerSecond: 0,
    heapBlocksHit: 1_000_000,
    heapBlocksRead: 0,
    totalBytes: 8 * 1024 ** 2,
    ...partial,
  };
}

/** A statement as the caching rules read it (load the parser first: its traits are read from its text). */
export function cacheStatementOf(
  query: string,
  calls: number,
  totalMs: number,
  extra: Partial<CacheStatement> = {},
): CacheStatement {
  return {
    ...statementOf(query, calls, totalMs),
    rowsPerCall: 1,
    tables: [],
    keys: 1,
    uniqueLookup: null,
    resultBytes: 100,
    ...extra,
  };
}

export function cachingFactsOf(partial: Partial<CachingFacts>): CachingFacts {
  const statements = partial.statements ?? [];
  return {
    statements,
    periodS: 100,
    workloadTotalMs: statements.reduce((n, s) => n + s.totalMs, 0),
    tables: [],
    sharedBuffersBytes: 128 * 1024 ** 2,
    prewarm: { available: true, installed: false, autoprewarm: false },
    ...partial,
  };
}
