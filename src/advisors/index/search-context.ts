/**
 * What the steps of the index search share (advise-indexes.ts builds it once): the planned statements, the
 * what-if session, and the measures every step weighs a change by.
 */
import type { AdviseOptions } from "./advise-indexes.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";
import type { WriteCharge } from "./write-charge.js";

export interface SearchContext {
  queries: WorkloadQuery[];
  whatIf: WhatIf;
  options: AdviseOptions;
  /** Candidates the what-if can measure. */
  measurable: IndexCandidate[];
  databaseBytes: number;
  progress: (message: string) => void;
  notes: string[];
  /** A statement's cost with `config` over its cost with the current indexes. */
  ratio: (q: WorkloadQuery, config: IndexCandidate[]) => Promise<number>;
  /** What going from `config` to `next` saves the `affected` statements, in the workload's milliseconds. */
  gainOf: (config: IndexCandidate[], next: IndexCandidate[], affected: WorkloadQuery[]) => Promise<number>;
  /** The statements an index can change the plan of. */
  onTable: (c: IndexCandidate) => WorkloadQuery[];
  sizeOf: (config: IndexCandidate[]) => Promise<number>;
  charge: (c: IndexCandidate) => WriteCharge;
  /** A table's own bytes; a partitioned table's, its partitions'. */
  tableBytes: (c: IndexCandidate) => number;
}
