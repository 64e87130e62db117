/** ScalingFacts for the architecture rules' unit tests: samples and statements written out by hand. */
import type { ActivityGroup, ActivitySample } from "../../src/facts/scaling/activity-samples.js";
import { statementTraits } from "../../src/facts/scaling/statement-traits.js";
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
