import type { EvidenceValue, Finding } from "../../findings/finding.js";
import { formatFactor } from "../../util/format.js";
import type { Rule } from "../rule.js";

/** A workload statement's generic plan before and after the migrations (advisors/migration/replan-statements.ts). */
export interface ReplannedStatement {
  id: string;
  sql: string;
  calls: number;
  totalMs: number | null;
  costBefore: number | null;
  costAfter: number | null;
  /** costAfter / costBefore. */
  factor: number | null;
  planBefore: string | null;
  planAfter: string | null;
  /** The plan's shape changed (nodes, relations, indexes, join and scan choices). */
  changed: boolean;
  /** Its shape changed and its cost grew WORSE_FACTOR× at least, or it no longer plans. */
  worse: boolean;
  /** Where the plans diverge and why (facts/plan/plan-diff-verdict.ts). */
  divergesAt: string | null;
  why: string[];
  /** Indexes the plan before used that the plan after does not. */
  indexesLost: string[];
  /** Why the statement could not be planned after (or before) the migrations. */
  error: string | null;
}

export interface ReplanFacts {
  replanned: ReplannedStatement[];
}

/**
 * The workload statements whose generic plan got worse on the schema after the migrations (migrate trace's
 * sandbox run): a plan whose shape changed and whose cost grew, with the node where the plans diverge and the
 * index the old plan used, or a statement that no longer plans at all.
 */
export const planRegressed: Rule<ReplanFacts> = {
  id: "migration/plan-regressed",
  family: "migration",
  title: "Migration makes a workload statement's plan worse",
  description:
    "dbopt migrate trace plans the workload's top statements before and after the migrations: a plan whose shape changed and whose estimated cost grew (an index it used was dropped, a column type change turned an index scan into a sequential scan), or a statement that no longer plans.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/using-explain.html",
  options: {},
  check({ replanned }) {
    return replanned.filter((r) => r.worse).map((r) => finding(this.id, this.docsUrl, r));
  },
};

function finding(ruleId: string, docsUrl: string, r: ReplannedStatement): Finding {
  const evidence: Record<string, EvidenceValue> = {
    statement: r.id,
    costBefore: r.costBefore,
    costAfter: r.costAfter,
    costFactor: r.factor,
    planBefore: r.planBefore,
    planAfter: r.planAfter,
    calls: r.calls,
  };
  if (r.totalMs !== null) evidence.totalMs = round(r.totalMs);
  if (r.divergesAt) evidence.divergesAt = r.divergesAt;
  if (r.why.length) evidence.divergenceWhy = r.why.join("; ");
  if (r.indexesLost.length) evidence.indexesLost = r.indexesLost.join(", ");
  const title = r.error
    ? `a workload statement no longer plans after the migrations: ${r.error}`
    : `a workload statement's plan got ${formatFactor(r.factor ?? 1)} costlier${r.indexesLost.length ? `: it no longer uses ${r.indexesLost.join(", ")}` : r.divergesAt ? ` at ${r.divergesAt}` : ""}`;
  return {
    ruleId,
    severity: r.error ? "error" : "warning",
    title,
    detail: r.error
      ? `${r.id} planned before the migrations (${r.planBefore}) and fails after them: ${r.error}.`
      : `${r.id}: the generic plan was ${r.planBefore} (cost ${r.costBefore}) before the migrations and is ${r.planAfter} (cost ${r.costAfter}) after${r.divergesAt ? `; the plans diverge at ${r.divergesAt}${r.why.length ? `: ${r.why.join("; ")}` : ""}` : ""}.`,
    evidence,
    docsUrl,
    impact: r.error
      ? Number.MAX_SAFE_INTEGER
      : ((r.costAfter ?? 0) - (r.costBefore ?? 0)) * Math.max(1, r.calls),
    query: r.sql,
    objects: r.indexesLost,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
