/**
 * The search's starting point: each statement planned with the current indexes (its base cost), weighted by its
 * calls where the workload gives calls, and the statements the planner refuses set aside with why.
 */
import { DbError } from "../../connectors/db-error.js";
import type { Snapshot } from "../../facts/snapshot.js";
import type { UnplannedStatement } from "./advice-report.js";
import { statementProblem } from "./planning-errors.js";
import type { WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";
import type { WorkloadWrites } from "./write-charge.js";

/**
 * Milliseconds per planner cost unit, to turn a statement's estimated cost into time when only its call count is
 * known. The unit is one sequential page read (seq_page_cost = 1). Measured on PostgreSQL 15 on this project's
 * 2-core test machine: a cached sequential scan counting 1.1M rows (cost 24,058, no parallel workers) ran in
 * 160 to 275 ms, 0.007 to 0.011 ms per unit. It matters only where reads are weighed against write costs and
 * space; statements' weights among themselves stand in the ratio of calls × cost whatever the unit is worth.
 */
export const MS_PER_COST_UNIT = 0.008;

export interface PlannedWorkload {
  /** The statements the planner could plan, in the workload's order. */
  planned: WorkloadQuery[];
  /** Each planned statement's cost with the current indexes, by id. */
  base: Map<string, number>;
  unplanned: UnplannedStatement[];
  /** What each INSERT, UPDATE and DELETE weighted by calls writes, by id. */
  written: WorkloadWrites;
  /** Statements weighted by their calls (the rest carry a weight given with the workload). */
  byCalls: number;
  /** Of those, the ones whose time per call pg_stat_statements measured. */
  measuredCalls: number;
}

/** Plans every statement with no candidate in place; sets the weight of those weighted by calls. */
export async function planWorkload(
  workload: WorkloadQuery[],
  snapshot: Snapshot,
  whatIf: WhatIf,
  signal?: AbortSignal,
): Promise<PlannedWorkload> {
  const out: PlannedWorkload = {
    planned: [],
    base: new Map(),
    unplanned: [],
    written: new Map(),
    byCalls: 0,
    measuredCalls: 0,
  };
  for (const q of workload) {
    signal?.throwIfAborted();
    try {
      const now = await whatIf.cost(q, []);
      out.base.set(q.id, Math.max(now.cost, 1e-9));
      if (q.weightIs === "calls") {
        // A call count: worth calls × one call's time, measured when pg_stat_statements knows it, else the plan's cost.
        const measured = measuredMsPerCall(q, snapshot);
        q.weight = q.calls * (measured ?? Math.max(now.cost, 1e-9) * MS_PER_COST_UNIT);
        out.byCalls++;
        if (measured !== null) out.measuredCalls++;
        if (now.written?.length) out.written.set(q.id, now.written);
      }
      out.planned.push(q);
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      const problem = statementProblem(
        error instanceof Error ? error.message : String(error),
        error instanceof DbError ? error.hint : null,
      );
      out.unplanned.push({ query: q.sql, why: problem.why, hint: problem.hint });
    }
  }
  return out;
}

/** The notes saying what was left out and how the statements were weighted. */
export function workloadNotes(plan: PlannedWorkload, total: number): string[] {
  const notes = unplannedNotes(plan.unplanned, total);
  const { byCalls, measuredCalls } = plan;
  if (byCalls)
    notes.push(
      `${byCalls} statement${byCalls === 1 ? "" : "s"} weighted by call count × the time of one call (${measuredCalls ? `${measuredCalls} measured by pg_stat_statements, ` : ""}${byCalls - measuredCalls} estimated from the plan's cost at ${MS_PER_COST_UNIT} ms per cost unit); writes charged from the workload's INSERT, UPDATE and DELETE statements`,
    );
  return notes;
}

/** pg_stat_statements' mean time for the statement, when the snapshot has it (same text once normalised). */
function measuredMsPerCall(q: WorkloadQuery, snapshot: Snapshot): number | null {
  const norm = (s: string) => s.replace(/\s+/g, " ").replace(/;\s*$/, "").trim().toLowerCase();
  const text = norm(q.sql);
  const s = snapshot.workload.statements.find((x) => x.calls > 0 && norm(x.query) === text);
  return s ? s.totalMs / s.calls : null;
}

/**
 * One note per reason statements could not be planned ("permission denied for table orders"), with how many
 * and the fix: the advice covers only what was planned.
 */
export function unplannedNotes(unplanned: UnplannedStatement[], total: number): string[] {
  const byWhy = new Map<string, UnplannedStatement[]>();
  for (const u of unplanned) byWhy.set(u.why, [...(byWhy.get(u.why) ?? []), u]);
  return [...byWhy].map(([why, list]) => {
    const first = list[0] as UnplannedStatement;
    const example = first.query.replace(/\s+/g, " ");
    return `could not plan ${list.length} of ${total} statement${total === 1 ? "" : "s"}, left out of the advice: ${why}${first.hint ? ` (${first.hint})` : ""}; e.g. ${example.length > 100 ? `${example.slice(0, 97)}...` : example}`;
  });
}
