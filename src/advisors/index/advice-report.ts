import type { PartitionStep } from "./partitioned-index.js";

export interface QueryEffect {
  query: string;
  /** Planner cost with the current indexes, and with the recommended ones. */
  costBefore: number;
  costAfter: number;
  /** Milliseconds the statement accounts for in the workload. */
  weightMs: number;
  /** How its plan was costed: bound to typical values, generic, or as written. */
  planning: "bound" | "generic" | "literal";
}

export interface IndexRecommendation {
  ddl: string;
  schema: string;
  table: string;
  method: string;
  sizeBytes: number;
  reason: string;
  /** Estimated milliseconds saved over the workload's window, and what the index costs the table's writes. */
  benefitMs: number;
  writeChargeMs: number;
  /** Updates of these columns would stop being HOT with this index. */
  breaksHotOn: string[];
  queries: QueryEffect[];
  /**
   * On a partitioned table: ddl is the recipe, one statement a line (CREATE INDEX ... ON ONLY the parent, each
   * leaf's index built CONCURRENTLY, ALTER INDEX ... ATTACH PARTITION), these are its steps, and plainDdl the
   * single CREATE INDEX a sandbox may run (it locks every partition for the build).
   */
  partitioned?: { steps: PartitionStep[]; plainDdl: string; leafPartitions: number };
  /** An extension its operator class needs (pg_trgm), and the statement that installs it when it is not yet. */
  requires?: ExtensionRequirement;
  /** With --verify: measured median execution times before and after, per statement. */
  measured?: Array<{ query: string; beforeMs: number; afterMs: number }>;
}

export interface DropRecommendation {
  ddl: string;
  index: string;
  sizeBytes: number;
  reason: string;
  /** The recommendation (its ddl) that makes this index redundant: drop only once it is built. */
  replacedBy?: string;
}

/** A workload statement the advice could not take into account. */
export interface UnplannedStatement {
  query: string;
  /** Why: the server's message ("permission denied for table orders"), or the lock that made it wait. */
  why: string;
  /** What fixes it (the GRANT), when known. */
  hint: string | null;
}

/** What --apply did: every recommended index built, not built, or left behind, and every drop. */
export interface ApplyOutcome {
  /** Index name dbopt gave the index (dbopt_...), so a later run finds it again. */
  name: string;
  ddl: string;
  status: "built" | "already-existed" | "failed" | "not-started" | "dropped" | "kept";
  /** For failures: what went wrong, and what happened to the half-built index. */
  detail: string | null;
  /** A statement the user must run to finish the cleanup dbopt could not do (DROP INDEX CONCURRENTLY ...). */
  cleanup: string | null;
}

export interface ExtensionRequirement {
  extension: string;
  /** installed in the database; available on the server (CREATE EXTENSION works); missing; or not checked. */
  state: ExtensionState;
  /** CREATE EXTENSION IF NOT EXISTS ..., to run before the index. */
  ddl: string;
}

export type ExtensionState = "installed" | "available" | "missing" | "unknown";

export interface UnmeasuredCandidate {
  ddl: string;
  reason: string;
  requires?: ExtensionRequirement;
  /** Why it was not measured, and how to measure it. */
  why: string;
}

export interface AdviceReport {
  kind: "advice";
  target: string;
  whatIf: "hypopg" | "sandbox";
  recommendations: IndexRecommendation[];
  drops: DropRecommendation[];
  unmeasured: UnmeasuredCandidate[];
  workload: {
    statements: number;
    /** Σ weight × cost ratio: the workload's milliseconds now, and estimated with the recommendations. */
    costBefore: number;
    costAfter: number;
    improvement: number;
    planning: { bound: number; generic: number; literal: number };
  };
  candidates: number;
  /** How the set was chosen, from how many candidates, and its net value (ms saved minus write and space charges). */
  selection: { strategy: "greedy" | "exhaustive"; pool: number; netValueMs: number };
  whatIfCalls: number;
  whatIfCacheHits: number;
  elapsedMs: number;
  notes: string[];
  /** Statements left out because they could not be planned; the advice says nothing about them. */
  unplanned?: UnplannedStatement[];
  /** DDL that was run by --apply (built indexes and drops), in order. */
  applied: string[];
  /** With --apply: the outcome for every index, built or not; `interrupted` when a signal stopped it. */
  apply?: { outcomes: ApplyOutcome[]; interrupted: string | null; complete: boolean };
}
