/**
 * What the steps of the index search share (advise-indexes.ts builds it once with makeSearchContext): the planned
 * statements, the what-if session, and the measures every step weighs a change by.
 */
import { leafTables } from "../../facts/partition-tree.js";
import type { Snapshot } from "../../facts/snapshot.js";
import type { AdviseOptions } from "./advise-indexes.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { PlannedWorkload } from "./plan-workload.js";
import { canServe, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";
import { type WriteCharge, writeCharge } from "./write-charge.js";

/** Each index must save at least this share of the workload to be worth adding. */
export const MIN_MARGINAL = 0.005;

export interface SearchContext {
  queries: WorkloadQuery[];
  snapshot: Snapshot;
  whatIf: WhatIf;
  options: AdviseOptions;
  /** Candidates the what-if can measure. */
  measurable: IndexCandidate[];
  databaseBytes: number;
  progress: (message: string) => void;
  notes: string[];
  /** Each statement's cost with the current indexes, by id. */
  base: Map<string, number>;
  /** The workload's weight with the current indexes: what the statements' ratios are shares of. */
  totalWeight: number;
  /** The least a change must save, net, to be made (options.minIndexGain of the workload). */
  minGain: number;
  /** A statement's cost with `config` over its cost with the current indexes. */
  ratio: (q: WorkloadQuery, config: IndexCandidate[]) => Promise<number>;
  /** What going from `config` to `next` saves the `affected` statements, in the workload's milliseconds. */
  gainOf: (config: IndexCandidate[], next: IndexCandidate[], affected: WorkloadQuery[]) => Promise<number>;
  /** The statements an index can change the plan of. */
  onTable: (c: IndexCandidate) => WorkloadQuery[];
  sizeOf: (config: IndexCandidate[]) => Promise<number>;
  charge: (c: IndexCandidate) => WriteCharge;
  /** The price of an index's bytes, in the workload's milliseconds (0 when storage is not priced). */
  storage: (bytes: number) => number;
  /** What the change from `from` to `to` that brings in `x` (of `bytes`) saves, net of x's writes and space. */
  netOf: (x: IndexCandidate, from: IndexCandidate[], to: IndexCandidate[], bytes: number) => Promise<number>;
  /** What a whole set saves the workload, net of its writes and space. */
  netValueOf: (config: IndexCandidate[]) => Promise<number>;
  /** A table's own bytes; a partitioned table's, its partitions'. */
  tableBytes: (c: IndexCandidate) => number;
}

export function makeSearchContext(
  plan: PlannedWorkload,
  snapshot: Snapshot,
  whatIf: WhatIf,
  options: AdviseOptions,
  measurable: IndexCandidate[],
  notes: string[],
): SearchContext {
  const queries = plan.planned;
  const progress = options.onProgress ?? (() => {});
  const totalWeight = queries.reduce((s, q) => s + q.weight, 0);
  // The statements an index can change the plan of (what-if.ts: on its table, reading one of its columns).
  const onTable = (c: IndexCandidate) => queries.filter((q) => canServe(q, c));
  const ratio = async (q: WorkloadQuery, config: IndexCandidate[]) => {
    options.signal?.throwIfAborted();
    return (await whatIf.cost(q, config)).cost / (plan.base.get(q.id) ?? 1);
  };
  const gainOf = async (config: IndexCandidate[], next: IndexCandidate[], affected: WorkloadQuery[]) => {
    let gain = 0;
    for (const q of affected) gain += q.weight * ((await ratio(q, config)) - (await ratio(q, next)));
    return gain;
  };
  const charge = (c: IndexCandidate) =>
    writeCharge(c, snapshot, queries, options.windowScale ?? 1, plan.byCalls ? plan.written : undefined);
  // Space has a price too: an index must save MIN_MARGINAL of the workload for every 1% of the database it adds.
  const databaseBytes = Math.max(snapshot.database.sizeBytes, 1024 * 1024);
  const storage = (bytes: number) =>
    options.priceStorage === false
      ? 0
      : (Math.max(bytes, 0) / databaseBytes) * 100 * MIN_MARGINAL * totalWeight;
  const netOf = async (x: IndexCandidate, from: IndexCandidate[], to: IndexCandidate[], bytes: number) =>
    (await gainOf(from, to, onTable(x))) - charge(x).ms - storage(bytes);
  const netValueOf = async (config: IndexCandidate[]) => {
    let net = 0;
    for (const c of config) net -= charge(c).ms + storage(await whatIf.size(c));
    for (const q of queries) net += q.weight * (1 - (await ratio(q, config)));
    return net;
  };
  const sizeOf = async (config: IndexCandidate[]) => {
    let bytes = 0;
    for (const c of config) bytes += await whatIf.size(c);
    return bytes;
  };
  const tableBytes = (c: IndexCandidate): number => {
    const table = snapshot.tables.find((t) => t.schema === c.schema && t.name === c.table);
    if (!table) return 0;
    return table.kind === "partitioned"
      ? leafTables(snapshot, table.schema, table.name).reduce((sum, t) => sum + t.sizeBytes, 0)
      : table.sizeBytes;
  };
  return {
    queries,
    snapshot,
    whatIf,
    options,
    measurable,
    databaseBytes,
    progress,
    notes,
    base: plan.base,
    totalWeight,
    minGain: (options.minIndexGain ?? MIN_MARGINAL) * totalWeight,
    ratio,
    gainOf,
    onTable,
    sizeOf,
    charge,
    storage,
    netOf,
    netValueOf,
    tableBytes,
  };
}
