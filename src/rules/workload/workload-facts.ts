import type { Snapshot, StatementFacts } from "../../facts/snapshot.js";

/** Workload rules read the snapshot: pg_stat_statements figures plus the schema they refer to. */
export interface WorkloadRuleFacts {
  snapshot: Snapshot;
}

/** Share of all recorded statement time that one statement takes. */
export function timeShare(snapshot: Snapshot, statement: StatementFacts): number {
  return snapshot.workload.totalMs > 0 ? statement.totalMs / snapshot.workload.totalMs : 0;
}
