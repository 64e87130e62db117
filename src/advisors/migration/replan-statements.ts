/**
 * Re-plan the workload's top statements on the trace server's schema before and after the migrations, and say
 * which plans got worse: a dropped index a heavy query used, a column type change that turns an index scan into a
 * sequential scan, a statement that no longer plans at all (a dropped or renamed column). Generic plans, the ones
 * a prepared statement gets, so no parameter value is needed; costs, not times, as nothing is run.
 */
import { DbError } from "../../connectors/db-error.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { genericPlan } from "../../facts/plan/explain-runner.js";
import { diffPlans } from "../../facts/plan/plan-diff.js";
import { judgeDiff } from "../../facts/plan/plan-diff-verdict.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { type Plan, walkPlan } from "../../facts/plan/plan-model.js";
import { shapeLine } from "../../facts/plan/plan-shape-line.js";
import { repairNormalizedQuery } from "../../facts/sql/normalized-statement.js";
import { explainableStatement } from "../../facts/sql/statement-kind.js";
import type { ReplannedStatement } from "../../rules/migration/plan-regressed.js";

/** A plan whose estimated cost grew by this factor at least, with its shape changed, got worse. */
export const WORSE_FACTOR = 1.2;

export interface ReplanStatement {
  /** Where it came from: "workload.sql:3", "pg_stat_statements #1". */
  id: string;
  sql: string;
  /** Its calls (a workload file's weight) or total time, to rank what a worse plan costs. */
  calls: number;
  totalMs: number | null;
}

export type PlanOutcome = { plan: Plan } | { error: string } | { skipped: string };

export type { ReplannedStatement };

/** Generic plans of each statement on `db`, in order; a statement that does not plan says why. */
export async function planStatements(
  db: PostgresConnector,
  statements: ReplanStatement[],
  major: number,
): Promise<PlanOutcome[]> {
  const out: PlanOutcome[] = [];
  for (const s of statements) {
    const text = repairNormalizedQuery(s.sql).trim().replace(/;\s*$/, "");
    let parameters: number;
    try {
      parameters = explainableStatement(text).parameters;
    } catch (error) {
      out.push({ skipped: error instanceof Error ? error.message : String(error) });
      continue;
    }
    try {
      out.push({ plan: await genericPlan(db, text, parameters, major) });
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      out.push({ error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}

/** Each statement's plan before and after, compared; the ones that got worse first, by how much cost they added. */
export function compareReplans(
  statements: ReplanStatement[],
  before: PlanOutcome[],
  after: PlanOutcome[],
): ReplannedStatement[] {
  const out: ReplannedStatement[] = [];
  for (const [i, s] of statements.entries()) {
    const b = before[i];
    const a = after[i];
    if (!b || !a || "skipped" in b || "skipped" in a) continue;
    const base: ReplannedStatement = {
      id: s.id,
      sql: s.sql,
      calls: s.calls,
      totalMs: s.totalMs,
      costBefore: "plan" in b ? (b.plan.root.cost?.total ?? null) : null,
      costAfter: "plan" in a ? (a.plan.root.cost?.total ?? null) : null,
      factor: null,
      planBefore: "plan" in b ? shapeLine(b.plan) : null,
      planAfter: "plan" in a ? shapeLine(a.plan) : null,
      changed: false,
      worse: false,
      divergesAt: null,
      why: [],
      indexesLost: [],
      error: "error" in a ? a.error : "error" in b ? `did not plan before the migrations: ${b.error}` : null,
    };
    if ("error" in b) {
      out.push(base);
      continue;
    }
    if ("error" in a) {
      out.push({ ...base, changed: true, worse: true });
      continue;
    }
    base.factor = base.costBefore && base.costAfter !== null ? round(base.costAfter / base.costBefore) : null;
    base.changed = base.planBefore !== base.planAfter;
    const usedAfter = indexesOf(a.plan);
    base.indexesLost = [...indexesOf(b.plan)].filter((x) => !usedAfter.has(x));
    if (base.changed) {
      try {
        const verdict = judgeDiff(diffPlans(analyzePlan(b.plan), analyzePlan(a.plan)));
        base.divergesAt = verdict.divergence?.label ?? null;
        base.why = verdict.divergence?.why ?? verdict.reasons.slice(0, 3).map((r) => r.text);
      } catch {
        // Both shapes are named even when the comparison cannot read a plan.
      }
    }
    base.worse = base.changed && (base.factor ?? 0) >= WORSE_FACTOR;
    out.push(base);
  }
  const added = (r: ReplannedStatement) =>
    r.error && r.worse
      ? Number.POSITIVE_INFINITY
      : ((r.costAfter ?? 0) - (r.costBefore ?? 0)) * Math.max(1, r.calls);
  return out.sort((x, y) => Number(y.worse) - Number(x.worse) || added(y) - added(x));
}

function indexesOf(plan: Plan): Set<string> {
  const out = new Set<string>();
  for (const [node] of walkPlan(plan.root)) if (node.indexName) out.add(node.indexName);
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
