/**
 * Two plans of one statement as one merged tree: every node of the after plan in its place, each node the before
 * plan lost placed under the counterpart of its nearest kept ancestor. Each entry carries both sides' figures
 * (time, rows, loops, costs, buffers) and what changed in the node itself, split into shape (what the planner
 * chose) and run time (what happened when it ran: a spill, workers not launched).
 */
import { alignPlans, nodeKind, type PlanAlignment } from "./plan-alignment.js";
import type { AnalyzedPlan, NodeMetrics } from "./plan-metrics.js";
import type { PlanNode, PropValue } from "./plan-model.js";

export interface NodeFigures {
  /** "Index Scan using orders_customer_id_idx on orders o". */
  label: string;
  /** Null without ANALYZE (or with TIMING OFF). */
  inclusiveMs: number | null;
  exclusiveMs: number | null;
  /** Rows over all loops; null without ANALYZE. */
  actualRows: number | null;
  /** Estimated rows per loop, as EXPLAIN prints them. */
  planRows: number | null;
  loops: number | null;
  totalCost: number | null;
  exclusiveCost: number | null;
  /** The node's own buffers (its inputs' taken out), in blocks. */
  sharedHit: number | null;
  sharedRead: number | null;
  tempRead: number | null;
  tempWritten: number | null;
  rowsRemovedByFilter: number;
  neverExecuted: boolean;
}

export type DiffStatus = "same" | "changed" | "added" | "removed";

export interface DiffEntry {
  /** Depth in the merged tree, 0 for the root. */
  depth: number;
  /** Index of the parent entry in `entries`, null for the root. */
  parent: number | null;
  beforeId: number | null;
  afterId: number | null;
  status: DiffStatus;
  role: PlanNode["role"];
  subplanName: string | null;
  before: NodeFigures | null;
  after: NodeFigures | null;
  /** What the planner chose differently for this node: "Nested Loop → Hash Join", "index x → none". */
  shapeChanges: string[];
  /** What happened differently when it ran: "sort method quicksort → external merge". */
  runtimeChanges: string[];
}

export interface PlanDiff {
  before: AnalyzedPlan;
  after: AnalyzedPlan;
  alignment: PlanAlignment;
  /** The merged tree in pre-order. */
  entries: DiffEntry[];
}

export function diffPlans(before: AnalyzedPlan, after: AnalyzedPlan): PlanDiff {
  const alignment = alignPlans(before, after);
  return { before, after, alignment, entries: mergedEntries(before, after, alignment) };
}

/** "Parallel Index Scan using idx on orders o", "HashAggregate", "Finalize GroupAggregate". */
function planNodeLabel(node: PlanNode): string {
  const parallel = node.parallelAware ? "Parallel " : "";
  const partial = node.details["Partial Mode"] && node.details["Partial Mode"] !== "Simple";
  const name =
    node.nodeType === "Aggregate" && node.details.Strategy
      ? `${partial ? `${node.details["Partial Mode"]} ` : ""}${
          { Plain: "Aggregate", Sorted: "GroupAggregate", Hashed: "HashAggregate", Mixed: "MixedAggregate" }[
            node.details.Strategy
          ] ?? "Aggregate"
        }`
      : node.nodeType === "ModifyTable"
        ? (node.details.Operation ?? "ModifyTable")
        : node.nodeType;
  const joinType =
    nodeKind(node) === "join" && node.details["Join Type"] && node.details["Join Type"] !== "Inner"
      ? ` ${node.details["Join Type"]}`
      : "";
  if (node.nodeType === "Bitmap Index Scan") return `${name} on ${node.indexName}`;
  const using = node.indexName ? ` using ${node.indexName}` : "";
  const target = node.relationName
    ? ` on ${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ""}`
    : "";
  const sub = node.role !== "child" && node.subplanName ? `${node.subplanName}: ` : "";
  return `${sub}${parallel}${name}${joinType}${using}${target}`;
}

function figures(node: PlanNode, m: NodeMetrics): NodeFigures {
  const buffers = m.exclusiveBuffers;
  return {
    label: planNodeLabel(node),
    inclusiveMs: m.inclusiveMs,
    exclusiveMs: m.exclusiveMs,
    actualRows: m.totalRows,
    planRows: node.planRows,
    loops: node.actual ? node.actual.loops : node.actual === null ? 0 : null,
    totalCost: node.cost?.total ?? null,
    exclusiveCost: m.exclusiveCost,
    sharedHit: buffers?.sharedHit ?? null,
    sharedRead: buffers?.sharedRead ?? null,
    tempRead: buffers?.tempRead ?? null,
    tempWritten: buffers?.tempWritten ?? null,
    rowsRemovedByFilter: m.rowsRemovedByFilter,
    neverExecuted: node.actual === null,
  };
}

function mergedEntries(before: AnalyzedPlan, after: AnalyzedPlan, alignment: PlanAlignment): DiffEntry[] {
  // Removed before-nodes hang under the after counterpart of their nearest kept ancestor ("anchor"), or under
  // a removed parent. Computed in before pre-order, so a parent's placement is known first.
  const removedUnderAfter = new Map<number, number[]>();
  const removedUnderRemoved = new Map<number, number[]>();
  const removedRoots: number[] = [];
  for (const node of before.nodes) {
    if (alignment.beforeToAfter[node.id] !== null) continue;
    const parent = before.parents[node.id];
    if (!parent) removedRoots.push(node.id);
    else {
      const anchor = alignment.beforeToAfter[parent.id];
      const map = anchor === null || anchor === undefined ? removedUnderRemoved : removedUnderAfter;
      const key = anchor === null || anchor === undefined ? parent.id : anchor;
      const list = map.get(key) ?? [];
      list.push(node.id);
      map.set(key, list);
    }
  }

  const entries: DiffEntry[] = [];
  type Item = { side: "after" | "before"; id: number; depth: number; parent: number | null };
  const stack: Item[] = [];
  const pushChildren = (item: Item, index: number) => {
    const next: Item[] = [];
    if (item.side === "after") {
      for (const id of removedUnderAfter.get(item.id) ?? [])
        next.push({ side: "before", id, depth: item.depth + 1, parent: index });
      for (const child of (after.nodes[item.id] as PlanNode).children)
        next.push({ side: "after", id: child.id, depth: item.depth + 1, parent: index });
    } else {
      for (const id of removedUnderRemoved.get(item.id) ?? [])
        next.push({ side: "before", id, depth: item.depth + 1, parent: index });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as Item);
  };
  if (after.nodes.length) stack.push({ side: "after", id: 0, depth: 0, parent: null });
  for (let i = removedRoots.length - 1; i >= 0; i--)
    stack.push({ side: "before", id: removedRoots[i] as number, depth: 0, parent: null });
  for (let item = stack.pop(); item; item = stack.pop()) {
    const entry =
      item.side === "after" ? afterEntry(before, after, alignment, item.id) : onlyBefore(before, item.id);
    entries.push({ ...entry, depth: item.depth, parent: item.parent });
    pushChildren(item, entries.length - 1);
  }
  return entries;
}

type EntryBody = Omit<DiffEntry, "depth" | "parent">;

function onlyBefore(before: AnalyzedPlan, id: number): EntryBody {
  const node = before.nodes[id] as PlanNode;
  return {
    beforeId: id,
    afterId: null,
    status: "removed",
    role: node.role,
    subplanName: node.subplanName,
    before: figures(node, before.metrics[id] as NodeMetrics),
    after: null,
    shapeChanges: [],
    runtimeChanges: [],
  };
}

function afterEntry(
  before: AnalyzedPlan,
  after: AnalyzedPlan,
  alignment: PlanAlignment,
  id: number,
): EntryBody {
  const node = after.nodes[id] as PlanNode;
  const afterFigures = figures(node, after.metrics[id] as NodeMetrics);
  const beforeId = alignment.afterToBefore[id] ?? null;
  if (beforeId === null) {
    return {
      beforeId: null,
      afterId: id,
      status: "added",
      role: node.role,
      subplanName: node.subplanName,
      before: null,
      after: afterFigures,
      shapeChanges: [],
      runtimeChanges: [],
    };
  }
  const old = before.nodes[beforeId] as PlanNode;
  const shapeChanges = shapeDifferences(old, node, before, after);
  const runtimeChanges = before.plan.analyzed && after.plan.analyzed ? runtimeDifferences(old, node) : [];
  return {
    beforeId,
    afterId: id,
    status: shapeChanges.length || runtimeChanges.length ? "changed" : "same",
    role: node.role,
    subplanName: node.subplanName,
    before: figures(old, before.metrics[beforeId] as NodeMetrics),
    after: afterFigures,
    shapeChanges,
    runtimeChanges,
  };
}

const CONDITIONS = ["Index Cond", "Recheck Cond", "Filter", "Hash Cond", "Merge Cond", "Join Filter"];

function shapeDifferences(b: PlanNode, a: PlanNode, before: AnalyzedPlan, after: AnalyzedPlan): string[] {
  const out: string[] = [];
  const bLabel = planNodeLabel({ ...b, indexName: null, relationName: null });
  const aLabel = planNodeLabel({ ...a, indexName: null, relationName: null });
  if (bLabel !== aLabel) out.push(`${bLabel} → ${aLabel}`);
  if (b.indexName !== a.indexName && b.nodeType !== "Bitmap Index Scan")
    out.push(
      a.indexName === null
        ? `index ${b.indexName} no longer used`
        : b.indexName === null
          ? `now uses index ${a.indexName}`
          : `index ${b.indexName} → ${a.indexName}`,
    );
  if (b.relationName !== a.relationName && b.relationName && a.relationName)
    out.push(`relation ${b.relationName} → ${a.relationName}`);
  if (b.details["Scan Direction"] !== a.details["Scan Direction"] && nodeKind(a) === "scan")
    out.push(
      `scan direction ${b.details["Scan Direction"] ?? "Forward"} → ${a.details["Scan Direction"] ?? "Forward"}`,
    );
  if (nodeKind(a) === "join" && nodeKind(b) === "join" && swapped(b, a, before, after))
    out.push("outer and inner sides swapped");
  for (const key of ["Sort Key", "Group Key", ...CONDITIONS]) {
    const was = shown(b.props[key]);
    const now = shown(a.props[key]);
    if (was === now) continue;
    out.push(
      was === null
        ? `${key} added: ${now}`
        : now === null
          ? `${key} gone: ${was}`
          : `${key}: ${was} → ${now}`,
    );
  }
  return out;
}

/** The outer child of one plan is the other plan's inner child (by their counterparts). */
function swapped(b: PlanNode, a: PlanNode, before: AnalyzedPlan, after: AnalyzedPlan): boolean {
  const bOuter = b.children.find((c) => c.role === "child");
  const aOuter = a.children.find((c) => c.role === "child");
  if (!bOuter || !aOuter) return false;
  const bSet = relationsUnder(before, bOuter.id);
  const aSet = relationsUnder(after, aOuter.id);
  if (!bSet.size || !aSet.size) return false;
  for (const r of bSet) if (aSet.has(r)) return false;
  return true;
}

function relationsUnder(plan: AnalyzedPlan, id: number): Set<string> {
  const out = new Set<string>();
  const stack = [plan.nodes[id] as PlanNode];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const key = node.nodeType === "Bitmap Index Scan" ? null : (node.alias ?? node.relationName);
    if (key) out.add(key);
    for (const c of node.children) if (c.role === "child") stack.push(c);
  }
  return out;
}

function shown(value: PropValue | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function runtimeDifferences(b: PlanNode, a: PlanNode): string[] {
  const out: string[] = [];
  const sortMethod = (n: PlanNode) =>
    n.props["Sort Method"] === undefined
      ? null
      : `${n.props["Sort Method"]}${n.props["Sort Space Type"] === "Disk" ? ` (disk ${n.props["Sort Space Used"]} kB)` : ""}`;
  const pairs: Array<[string, string | number | null, string | number | null]> = [
    ["sort method", sortMethod(b), sortMethod(a)],
    ["hash batches", num(b.props["Hash Batches"]), num(a.props["Hash Batches"])],
    ["hash aggregate batches", num(b.props["HashAgg Batches"]), num(a.props["HashAgg Batches"])],
    ["workers planned", num(b.props["Workers Planned"]), num(a.props["Workers Planned"])],
    ["workers launched", num(b.props["Workers Launched"]), num(a.props["Workers Launched"])],
  ];
  for (const [what, was, now] of pairs)
    if (was !== now && was !== null && now !== null) out.push(`${what} ${was} → ${now}`);
  return out;
}

function num(value: PropValue | undefined): number | null {
  return typeof value === "number" ? value : null;
}
