/**
 * Figures derived from a plan, node by node: time spent in the node itself (exclusive), its share of the
 * whole, the estimate-vs-actual row factor, exclusive buffers and rows thrown away by filters.
 *
 * EXPLAIN prints per-loop averages and, under Gather, averages over the processes that ran the node. Here
 * every figure is made a total for the statement, then exclusive time is the node's total minus the totals
 * of the nodes whose work is inside it. Two cases need care so no time is counted twice:
 * - an InitPlan runs when its value is first needed, which may be inside a child of the node that owns it;
 *   its time is taken from the deepest node whose start-up time already contains it;
 * - a CTE runs as its CTE Scans pull rows, so its time is taken from those scans, not from its owner.
 */
import { type Buffers, emptyBuffers, type Plan, type PlanNode, walkPlan } from "./plan-model.js";

export interface NodeMetrics {
  /** Wall-clock time of the node and everything under it, for the whole statement (ms). */
  inclusiveMs: number | null;
  /** Time in the node itself. */
  exclusiveMs: number | null;
  /** exclusiveMs as a share (0..1) of the statement's execution time. */
  exclusiveShare: number | null;
  /** Estimated cost of the node itself: its total cost minus its inputs' (for plans without ANALYZE). */
  exclusiveCost: number | null;
  exclusiveCostShare: number | null;
  /** How many processes ran the node: 1, or launched workers + leader under a Gather. */
  processes: number;
  /** Rows the node produced over all loops. */
  totalRows: number | null;
  /** max(estimate, actual) / min(...) per loop; null without ANALYZE or when never executed. */
  rowFactor: number | null;
  rowDirection: "under" | "over" | null;
  exclusiveBuffers: Buffers | null;
  /** Totals over all loops. */
  rowsRemovedByFilter: number;
  rowsRemovedByIndexRecheck: number;
  rowsRemovedByJoinFilter: number;
}

export interface AnalyzedPlan {
  plan: Plan;
  /** Nodes by id (pre-order). */
  nodes: PlanNode[];
  parents: Array<PlanNode | null>;
  metrics: NodeMetrics[];
  /** Denominator for time shares: Execution Time, else the root's inclusive time. */
  totalMs: number | null;
  totalCost: number | null;
}

const GATHER = new Set(["Gather", "Gather Merge"]);

export function analyzePlan(plan: Plan): AnalyzedPlan {
  const nodes: PlanNode[] = [];
  const parents: Array<PlanNode | null> = [];
  for (const [node, parent] of walkPlan(plan.root)) {
    nodes[node.id] = node;
    parents[node.id] = parent;
  }
  const processes = countProcesses(nodes, parents);
  const metrics: NodeMetrics[] = nodes.map((node) => baseMetrics(node, processes[node.id] ?? 1));
  const totalMs = plan.executionMs ?? metrics[0]?.inclusiveMs ?? null;
  const totalCost = plan.root.cost?.total ?? null;

  // Start from "node minus its direct inputs", then move InitPlan and CTE time to where it was spent.
  const exclusive = metrics.map((m) => m.inclusiveMs);
  const buffers = nodes.map((n) => (n.buffers ? { ...n.buffers } : null));
  for (const node of nodes) {
    for (const child of node.children) {
      const childMs = metrics[child.id]?.inclusiveMs ?? 0;
      const host = child.role === "initplan" ? initPlanHost(node, child, metrics) : node;
      if (child.subplanName?.startsWith("CTE ")) continue; // charged to its CTE Scans below
      subtract(exclusive, buffers, host.id, childMs, child.buffers);
    }
  }
  chargeCtesToScans(nodes, metrics, exclusive, buffers);

  const fractions = runFractions(nodes, parents);
  nodes.forEach((node, id) => {
    const m = metrics[id] as NodeMetrics;
    const ms = exclusive[id];
    m.exclusiveMs = ms === null || ms === undefined ? null : Math.max(0, ms);
    m.exclusiveShare = m.exclusiveMs !== null && totalMs ? Math.min(1, m.exclusiveMs / totalMs) : null;
    m.exclusiveBuffers = buffers[id] ?? null;
    m.exclusiveCost = exclusiveCost(node, fractions);
    m.exclusiveCostShare =
      m.exclusiveCost !== null && totalCost ? Math.min(1, m.exclusiveCost / totalCost) : null;
  });
  return { plan, nodes, parents, metrics, totalMs, totalCost };
}

/** How many processes run each node: 1, or under a Gather its launched workers plus the leader. */
function countProcesses(nodes: PlanNode[], parents: Array<PlanNode | null>): number[] {
  const out: number[] = [];
  for (const node of nodes) {
    const parent = parents[node.id];
    if (!parent) out[node.id] = 1;
    else if (GATHER.has(parent.nodeType)) {
      const launched = Number(parent.props["Workers Launched"] ?? parent.props["Workers Planned"] ?? 0);
      const leaderRuns = parent.props["Single Copy"] !== true;
      out[node.id] = Math.max(1, launched + (leaderRuns ? 1 : 0));
    } else out[node.id] = out[parent.id] ?? 1;
  }
  return out;
}

function baseMetrics(node: PlanNode, processes: number): NodeMetrics {
  const actual = node.actual;
  const loops = actual?.loops ?? 0;
  const perLoop = (value: unknown) => (typeof value === "number" ? value * loops : 0);
  let inclusiveMs: number | null = null;
  if (actual === null) inclusiveMs = 0;
  else if (actual && actual.totalMs !== null)
    inclusiveMs = (actual.totalMs * loops) / Math.max(1, Math.min(processes, loops));
  let rowFactor: number | null = null;
  let rowDirection: NodeMetrics["rowDirection"] = null;
  if (actual && node.planRows !== null) {
    const estimated = Math.max(node.planRows, 1);
    const real = Math.max(actual.rows, 1);
    rowFactor = Math.max(estimated, real) / Math.min(estimated, real);
    rowDirection = real > estimated ? "under" : real < estimated ? "over" : null;
  }
  return {
    inclusiveMs,
    exclusiveMs: null,
    exclusiveShare: null,
    exclusiveCost: null,
    exclusiveCostShare: null,
    processes,
    totalRows: actual ? actual.rows * loops : actual === null ? 0 : null,
    rowFactor,
    rowDirection,
    exclusiveBuffers: null,
    rowsRemovedByFilter: perLoop(node.props["Rows Removed by Filter"]),
    rowsRemovedByIndexRecheck: perLoop(node.props["Rows Removed by Index Recheck"]),
    rowsRemovedByJoinFilter: perLoop(node.props["Rows Removed by Join Filter"]),
  };
}

/** The deepest node under `owner` whose start-up time already includes the InitPlan's run. */
function initPlanHost(owner: PlanNode, initPlan: PlanNode, metrics: NodeMetrics[]): PlanNode {
  const spent = metrics[initPlan.id]?.inclusiveMs;
  if (!spent) return owner;
  let host = owner;
  for (;;) {
    const next = host.children
      .filter((c) => c.role === "child" && (c.actual?.startupMs ?? -1) >= spent * 0.9)
      .sort((a, b) => (b.actual?.startupMs ?? 0) - (a.actual?.startupMs ?? 0))[0];
    if (!next) return host;
    host = next;
  }
}

function chargeCtesToScans(
  nodes: PlanNode[],
  metrics: NodeMetrics[],
  exclusive: Array<number | null>,
  buffers: Array<Buffers | null>,
): void {
  const scansByName = new Map<string, PlanNode[]>();
  for (const n of nodes) {
    if (n.nodeType !== "CTE Scan" || n.relationName === null) continue;
    const list = scansByName.get(n.relationName) ?? [];
    list.push(n);
    scansByName.set(n.relationName, list);
  }
  for (const cte of nodes.filter((n) => n.subplanName?.startsWith("CTE "))) {
    const name = cte.subplanName?.slice(4).replace(/^"(.*)"$/, "$1") ?? "";
    let remainingMs = metrics[cte.id]?.inclusiveMs ?? 0;
    const remainingBuffers = cte.buffers ? { ...cte.buffers } : null;
    for (const scan of scansByName.get(name) ?? []) {
      const available = Math.max(0, exclusive[scan.id] ?? 0);
      const takenMs = Math.min(available, remainingMs);
      remainingMs -= takenMs;
      const scanBuffers = buffers[scan.id];
      let takenBuffers: Buffers | null = null;
      if (remainingBuffers && scanBuffers) {
        takenBuffers = emptyBuffers();
        for (const key of Object.keys(takenBuffers) as Array<keyof Buffers>) {
          takenBuffers[key] = Math.min(scanBuffers[key], remainingBuffers[key]);
          remainingBuffers[key] -= takenBuffers[key];
        }
      }
      subtract(exclusive, buffers, scan.id, takenMs, takenBuffers);
    }
  }
}

function subtract(
  exclusive: Array<number | null>,
  buffers: Array<Buffers | null>,
  id: number,
  ms: number,
  childBuffers: Buffers | null,
): void {
  const current = exclusive[id];
  if (current !== null && current !== undefined) exclusive[id] = current - ms;
  const own = buffers[id];
  if (own && childBuffers) {
    for (const key of Object.keys(own) as Array<keyof Buffers>)
      own[key] = Math.max(0, own[key] - childBuffers[key]);
  }
}

/**
 * How much of each node's estimated cost the statement really incurs: a Limit stops its input early, so the
 * input runs only the fraction of its total cost that the Limit's own cost implies.
 */
function runFractions(nodes: PlanNode[], parents: Array<PlanNode | null>): number[] {
  const out: number[] = [];
  // Nodes are in pre-order, so a parent's fraction is known before its children's.
  for (const node of nodes) {
    const parent = parents[node.id];
    let fraction = parent ? (out[parent.id] ?? 1) : 1;
    if (
      parent?.nodeType === "Limit" &&
      node.role === "child" &&
      parent.cost &&
      node.cost &&
      node.cost.total > 0
    ) {
      fraction *= Math.min(1, parent.cost.total / node.cost.total);
    }
    out[node.id] = fraction;
  }
  return out;
}

function exclusiveCost(node: PlanNode, fractions: number[]): number | null {
  if (!node.cost) return null;
  const own = node.cost.total * (fractions[node.id] ?? 1);
  const inputs = node.children
    .filter((c) => c.role === "child")
    .reduce((sum, c, index) => {
      const cost = (c.cost?.total ?? 0) * (fractions[c.id] ?? 1);
      // The inner side of a nested loop is costed per outer row.
      const outerRows =
        node.nodeType === "Nested Loop" && index === 1 ? (node.children[0]?.planRows ?? 1) : 1;
      return sum + cost * outerRows;
    }, 0);
  return Math.max(0, own - inputs);
}
