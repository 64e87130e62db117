import type { Plan } from "../../facts/plan/plan-model.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { WorkloadQuery } from "./workload-query.js";

export interface QueryCost {
  cost: number;
  /** Candidate keys of the indexes the plan used. */
  used: string[];
}

/**
 * "What would the planner do if these indexes existed?" Every distinct (statement, index set) question is asked
 * once: answers are cached, and `calls` counts the questions that reached the database.
 */
export interface WhatIf {
  readonly kind: "hypopg" | "sandbox";
  readonly calls: number;
  readonly cacheHits: number;
  cost(query: WorkloadQuery, config: IndexCandidate[]): Promise<QueryCost>;
  size(candidate: IndexCandidate): Promise<number>;
  /** Remove every hypothetical or sandbox index. */
  close(): Promise<void>;
}

/** Candidates relevant to a statement: only indexes on tables it touches can change its plan. */
export function relevantConfig(query: WorkloadQuery, config: IndexCandidate[]): IndexCandidate[] {
  return config.filter((c) => query.tables.has(`${c.schema}.${c.table}`));
}

export function cacheKey(query: WorkloadQuery, config: IndexCandidate[]): string {
  return `${query.id}\u0000${relevantConfig(query, config)
    .map((c) => c.key)
    .sort()
    .join("\u0001")}`;
}

/** Index names in a plan, to tell which candidates it used. */
export function indexNamesIn(plan: Plan): Set<string> {
  const names = new Set<string>();
  const walk = (n: Plan["root"]) => {
    if (n.indexName) names.add(n.indexName);
    n.children.forEach(walk);
  };
  walk(plan.root);
  return names;
}
