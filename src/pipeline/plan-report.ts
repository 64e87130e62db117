import { type AnalyzedPlan, analyzePlan } from "../facts/plan/plan-metrics.js";
import { countNodes, type Plan } from "../facts/plan/plan-model.js";
import type { Snapshot, StatementFacts } from "../facts/snapshot.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { PLAN_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";

export interface PlanSummary {
  /** Plan nodes, InitPlans and SubPlans included. */
  nodes: number;
  executionTimeMs: number | null;
  planningTimeMs: number | null;
  analyzed: boolean;
  totalCost: number | null;
  rows: number | null;
  triggerTimeMs: number | null;
  jitTimeMs: number | null;
}

export interface PlanReport {
  kind: "plan";
  /** Where the plan came from: a file name, "stdin", or the database it ran on. */
  source: string;
  sql: string | null;
  summary: PlanSummary;
  analyzed: AnalyzedPlan;
  findings: Finding[];
  /** Things to know about how the plan was obtained, e.g. what EXPLAIN ANALYZE of a write left behind. */
  notes?: string[];
}

/** Run the plan detectors over a parsed plan and rank what they find. */
export function reportOnPlan(
  plan: Plan,
  context: {
    source: string;
    sql?: string | null;
    snapshot?: Snapshot | null;
    statement?: StatementFacts | null;
    overrides?: RuleOverrides;
    /** Leave out rules that only make sense next to the plan tree (hot-node) when no tree is shown. */
    withoutTree?: boolean;
  },
): PlanReport {
  const analyzed = analyzePlan(plan);
  const rules = context.withoutTree ? PLAN_RULES.filter((r) => r.id !== "plan/hot-node") : PLAN_RULES;
  const facts = {
    analyzed,
    sql: context.sql ?? null,
    snapshot: context.snapshot ?? null,
    statement: context.statement ?? null,
  };
  const findings = rankFindings(
    dropHotNodesExplainedElsewhere(runRules(rules, facts, context.overrides)).map((f) =>
      withPlanWeight(f, plan.analyzed),
    ),
  );
  const triggerTimes = plan.triggers.map((t) => t.timeMs).filter((t): t is number => t !== null);
  return {
    kind: "plan",
    source: context.source,
    sql: context.sql ?? null,
    summary: {
      nodes: countNodes(plan.root),
      executionTimeMs: plan.executionMs,
      planningTimeMs: plan.planningMs,
      analyzed: plan.analyzed,
      totalCost: plan.root.cost?.total ?? null,
      rows: plan.root.actual ? plan.root.actual.rows * plan.root.actual.loops : plan.root.planRows,
      triggerTimeMs: triggerTimes.length ? triggerTimes.reduce((a, b) => a + b, 0) : null,
      jitTimeMs: plan.jit?.timingMs?.Total ?? null,
    },
    analyzed,
    findings,
    // What the plan reader skipped or chose (other plans in the input, lines that are not a plan's).
    ...(plan.notes?.length ? { notes: [...plan.notes] } : {}),
  };
}

/** A hot node that another finding already explains needs no finding of its own; the tree still marks it. */
function dropHotNodesExplainedElsewhere(findings: Finding[]): Finding[] {
  const explained = new Set(findings.filter((f) => f.ruleId !== "plan/hot-node").map((f) => f.nodeId));
  return findings.filter((f) => f.ruleId !== "plan/hot-node" || !explained.has(f.nodeId));
}

/**
 * Plan rules measure in the plan's unit: milliseconds of the run when it was run (EXPLAIN ANALYZE), the share of
 * the estimated cost when it was not. Named, so the ranking and the JSON say which it is.
 */
function withPlanWeight(f: Finding, analyzed: boolean): Finding {
  return analyzed ? { ...f, timeMs: f.impact } : { ...f, costShare: f.impact };
}
