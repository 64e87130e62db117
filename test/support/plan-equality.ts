import type { Plan, PlanNode, PropValue } from "../../src/facts/plan/plan-model.js";

/** Values that differ between two runs of the same statement: times, memory, buffers, worker shares. */
const VOLATILE_PROPS = new Set([
  "Peak Memory Usage",
  "Sort Space Used",
  "Disk Usage",
  "Maximum Storage",
  "HashAgg Batches",
  "Heap Fetches",
  "Exact Heap Blocks",
  "Lossy Heap Blocks",
  "Rows Removed by Index Recheck",
  "Full-sort Average Memory",
  "Full-sort Peak Memory",
  "Pre-sorted Average Memory",
  "Pre-sorted Peak Memory",
  "WAL Bytes",
  "WAL Records",
  "WAL FPI",
  "WAL Buffers Full",
]);

/**
 * The plan model with run-to-run noise masked, so a TEXT and a JSON capture of one statement compare equal
 * exactly where the formats must agree. With `exact`, nothing is masked.
 */
export function comparablePlan(plan: Plan, exact: boolean): unknown {
  const mask = (v: number | null | undefined) => (exact || v === null || v === undefined ? v : "#");
  // Re-running a data-changing statement leaves dead rows behind, which moves the next run's estimates.
  const dml = plan.root.nodeType === "ModifyTable";
  const node = (n: PlanNode, parallel: boolean): unknown => ({
    ...n,
    cost: dml && !exact && n.cost ? "#" : n.cost,
    planRows: dml ? mask(n.planRows) : n.planRows,
    actual: n.actual
      ? {
          ...n.actual,
          startupMs: mask(n.actual.startupMs),
          totalMs: mask(n.actual.totalMs),
          // How rows spread over parallel workers changes from run to run.
          rows: parallel || n.nodeType.startsWith("Gather") ? mask(n.actual.rows) : n.actual.rows,
        }
      : n.actual,
    buffers: exact || !n.buffers ? n.buffers : "#",
    ioTimings: exact || !n.ioTimings ? n.ioTimings : "#",
    workers: exact ? n.workers : n.workers.map((w) => w.worker),
    props: Object.fromEntries(
      Object.entries(n.props).map(([k, v]): [string, PropValue | string] => [
        k,
        !exact && VOLATILE_PROPS.has(k) ? "#" : v,
      ]),
    ),
    children: n.children.map((c) =>
      node(c, parallel || n.nodeType === "Gather" || n.nodeType === "Gather Merge"),
    ),
  });
  return {
    ...plan,
    root: node(plan.root, false),
    planningMs: mask(plan.planningMs),
    executionMs: mask(plan.executionMs),
    planningBuffers: exact ? plan.planningBuffers : "#",
    serialization: plan.serialization && { ...plan.serialization, timeMs: mask(plan.serialization.timeMs) },
    jit: plan.jit && {
      ...plan.jit,
      timingMs: exact ? plan.jit.timingMs : Object.keys(plan.jit.timingMs ?? {}),
    },
    // Text names a constraint trigger only by its constraint, and the relation only when several are involved.
    triggers: plan.triggers.map((t) => ({
      name: t.constraintName ? null : t.name,
      constraintName: t.constraintName,
      timeMs: mask(t.timeMs),
      calls: t.calls,
    })),
  };
}
