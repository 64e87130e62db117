/**
 * Why two plans of one statement differ, in the words an expert uses: which index is no longer used, which
 * join method changed, which estimate was off and by how much, what spilled to disk, which workers did not
 * start. And the node where the plans diverge: the topmost node where the planner chose differently (a join
 * method, a scan, an aggregate strategy), else where the run differed (a spill), else the node whose own time
 * (or cost) moved most.
 */
import { formatBytes, formatCount, formatFactor, formatMs } from "../../util/format.js";
import { nodeKind } from "./plan-alignment.js";
import type { DiffEntry, NodeFigures, PlanDiff } from "./plan-diff.js";
import type { AnalyzedPlan } from "./plan-metrics.js";
import type { PlanNode } from "./plan-model.js";

export type ReasonKind =
  | "index-unused"
  | "index-used"
  | "join-method"
  | "join-order"
  | "scan-method"
  | "aggregate-strategy"
  | "node-changed"
  | "parallel-lost"
  | "parallel-gained"
  | "workers-not-launched"
  | "sort-spill"
  | "hash-batches"
  | "hash-aggregate-spill"
  | "node-added"
  | "node-removed"
  | "estimate-off"
  | "estimate-changed"
  | "rows-changed"
  | "disk-reads"
  | "setting-changed"
  | "node-slower";

export interface DiffReason {
  kind: ReasonKind;
  /** The entry of the merged tree it is about; null for the plan as a whole. */
  entry: number | null;
  text: string;
}

export interface PlanVerdict {
  /** What the two plans allow to compare: "time" when both ran with ANALYZE and timing, else "cost". */
  measure: "time" | "cost";
  /** What can and cannot be compared, said once. */
  comparable: string;
  before: { totalMs: number | null; planningMs: number | null; totalCost: number | null };
  after: { totalMs: number | null; planningMs: number | null; totalCost: number | null };
  /** "execution 63.8 ms, was 1.6 ms: 40× slower". */
  summary: string;
  /** "planning 3.1 ms, was 0.3 ms", when both plans give it. */
  planning: string | null;
  divergence: { entry: number; label: string; why: string[] } | null;
  /** No node added, removed or chosen differently: only figures (and run-time events such as a spill) changed. */
  sameShape: boolean;
  /** Every reason found, most telling first. */
  reasons: DiffReason[];
}

/** How strongly each kind explains a plan change: the order `why` lists them in. */
const WEIGHT: Record<ReasonKind, number> = {
  "index-unused": 90,
  "index-used": 88,
  "join-method": 80,
  "estimate-off": 75,
  "estimate-changed": 72,
  "sort-spill": 70,
  "workers-not-launched": 70,
  "setting-changed": 68,
  "hash-batches": 65,
  "hash-aggregate-spill": 65,
  "scan-method": 60,
  "parallel-lost": 60,
  "parallel-gained": 58,
  "aggregate-strategy": 55,
  "join-order": 50,
  "node-added": 45,
  "node-removed": 44,
  "node-changed": 40,
  "rows-changed": 35,
  "disk-reads": 30,
  "node-slower": 20,
};

const BLOCK = 8192;

/** When two plans cannot be of one statement: they read no relation in common. Null when they may be. */
export function statementMismatch(before: AnalyzedPlan, after: AnalyzedPlan): string | null {
  const names = (plan: AnalyzedPlan) =>
    new Set(
      plan.nodes
        .filter((n) => n.relationName !== null && nodeKind(n) === "scan")
        .map((n) => `${n.schema ? `${n.schema}.` : ""}${n.relationName}`.replace(/^public\./, "")),
    );
  const b = names(before);
  const a = names(after);
  const list = (s: Set<string>) => [...s].sort().slice(0, 4).join(", ") + (s.size > 4 ? ", ..." : "");
  if (b.size && a.size && ![...b].some((name) => a.has(name)))
    return `the plans do not look like the same statement: the before plan reads ${list(b)}, the after plan ${list(a)}`;
  const op = (plan: AnalyzedPlan) =>
    plan.nodes.find((n) => n.nodeType === "ModifyTable")?.details.Operation ?? "Select";
  if (op(before) !== op(after))
    return `the plans do not look like the same statement: the before plan is a ${op(before)}, the after plan a ${op(after)}`;
  return null;
}

export function judgeDiff(diff: PlanDiff): PlanVerdict {
  const { before, after, entries } = diff;
  // TIMING OFF still prints Execution Time, but no node has a time: compare costs then.
  const timed = (p: AnalyzedPlan) =>
    p.plan.analyzed && p.totalMs !== null && p.metrics[0]?.inclusiveMs != null;
  const measure = timed(before) && timed(after) ? "time" : "cost";
  const indexes = indexReasons(diff);
  const reasons = [
    ...indexes,
    // A scan whose index change is said already needs no "scan method changed" too.
    ...entryReasons(diff, new Set(indexes.map((r) => r.entry))),
    ...estimateReasons(diff, measure),
    ...settingReasons(before, after),
    ...diskReadReasons(before, after),
  ];
  reasons.sort((x, y) => WEIGHT[y.kind] - WEIGHT[x.kind]);
  const divergence = findDivergence(entries, measure);
  let why: string[] = [];
  if (divergence !== null) {
    // Nodes added or removed right above the divergence belong to the same change (a Sort and a Gather Merge
    // above the scan that lost its index).
    let region = divergence;
    for (let up = entries[region]?.parent ?? null; up !== null; up = entries[up]?.parent ?? null) {
      const status = entries[up]?.status;
      if (status !== "added" && status !== "removed") break;
      region = up;
    }
    const inside = subtree(entries, region);
    why = reasons.filter((r) => r.entry === null || inside.has(r.entry)).map((r) => r.text);
    if (!why.length) why = reasons.map((r) => r.text);
    if (!why.length) why = [slowerNodeText(entries[divergence] as DiffEntry, measure)];
  }
  return {
    measure,
    comparable: comparableText(before, after),
    before: { totalMs: before.totalMs, planningMs: before.plan.planningMs, totalCost: before.totalCost },
    after: { totalMs: after.totalMs, planningMs: after.plan.planningMs, totalCost: after.totalCost },
    summary: summaryText(before, after, measure),
    sameShape: entries.every(
      (e) => e.status === "same" || (e.status === "changed" && !e.shapeChanges.length),
    ),
    planning:
      before.plan.planningMs !== null && after.plan.planningMs !== null
        ? `planning ${formatMs(after.plan.planningMs)}, was ${formatMs(before.plan.planningMs)}`
        : null,
    divergence:
      divergence === null
        ? null
        : { entry: divergence, label: entryLabel(entries[divergence] as DiffEntry), why },
    reasons,
  };
}

/** "Nested Loop → Hash Join", "Sort (added)", "Seq Scan on orders o". */
function entryLabel(entry: DiffEntry): string {
  if (entry.status === "added") return `${entry.after?.label} (added)`;
  if (entry.status === "removed") return `${entry.before?.label} (removed)`;
  const b = entry.before?.label ?? "";
  const a = entry.after?.label ?? "";
  return b === a ? a : `${b} → ${a}`;
}

function comparableText(before: AnalyzedPlan, after: AnalyzedPlan): string {
  const b = before.plan.analyzed;
  const a = after.plan.analyzed;
  if (b && a) {
    const noTiming = before.metrics[0]?.inclusiveMs == null || after.metrics[0]?.inclusiveMs == null;
    const buffers = before.nodes.some((n) => n.buffers) && after.nodes.some((n) => n.buffers);
    const what = noTiming ? ["rows", "loops"] : ["time", "rows", "loops"];
    if (buffers) what.push("buffers");
    const last = what.pop();
    return `both plans ran with ANALYZE: ${what.join(", ")} and ${last} compared${noTiming ? " (TIMING OFF: node costs stand in for node times)" : ""}`;
  }
  if (!b && !a) return "neither plan ran with ANALYZE: estimated costs and rows compared, no time";
  const missing = b ? "after" : "before";
  return `the ${missing} plan did not run with ANALYZE: estimated costs and rows compared; actual rows and time are shown for one side only`;
}

function summaryText(before: AnalyzedPlan, after: AnalyzedPlan, nodeMeasure: "time" | "cost"): string {
  // TIMING OFF leaves the nodes without times but still measures the execution: compare that.
  const measure = before.plan.executionMs !== null && after.plan.executionMs !== null ? "time" : nodeMeasure;
  const was = measure === "time" ? before.totalMs : before.totalCost;
  const now = measure === "time" ? after.totalMs : after.totalCost;
  if (was === null || now === null) return "no total to compare";
  const show = (v: number) => (measure === "time" ? formatMs(v) : formatCount(v));
  const ratio = Math.max(was, now) / Math.max(Math.min(was, now), 1e-9);
  const trend =
    ratio < 1.1
      ? "about the same"
      : now > was
        ? `${formatFactor(ratio)} slower`
        : `${formatFactor(ratio)} faster`;
  const word = measure === "time" ? "execution" : "estimated total cost";
  return `${word} ${show(now)}, was ${show(was)}: ${measure === "cost" && ratio >= 1.1 ? trend.replace("slower", "costlier").replace("faster", "cheaper") : trend}`;
}

/** Entry indexes in the subtree of `root` (entries are in pre-order, so it is one contiguous run). */
function subtree(entries: DiffEntry[], root: number): Set<number> {
  const out = new Set<number>([root]);
  const depth = (entries[root] as DiffEntry).depth;
  for (let i = root + 1; i < entries.length && (entries[i] as DiffEntry).depth > depth; i++) out.add(i);
  return out;
}

/** A change of node type, index or join sides; not a parallel-only or condition-only change. */
function isPlannerChoice(entry: DiffEntry): boolean {
  if (entry.status !== "changed" || !entry.before || !entry.after) return false;
  const bare = (label: string) => label.replace(/^(Parallel |Partial |Finalize )+/, "");
  return (
    bare(entry.before.label) !== bare(entry.after.label) ||
    entry.shapeChanges.some((c) => c.startsWith("outer and inner"))
  );
}

function findDivergence(entries: DiffEntry[], measure: "time" | "cost"): number | null {
  const first = (test: (e: DiffEntry) => boolean) => {
    let best: number | null = null;
    entries.forEach((e, i) => {
      if (test(e) && (best === null || e.depth < (entries[best] as DiffEntry).depth)) best = i;
    });
    return best;
  };
  const choice = first(isPlannerChoice);
  if (choice !== null) return choice;
  const shape = first((e) => e.status === "added" || e.status === "removed" || e.shapeChanges.length > 0);
  if (shape !== null) return shape;
  const delta = (e: DiffEntry) => Math.abs(ownMeasure(e.after, measure) - ownMeasure(e.before, measure));
  const runtime = entries
    .map((e, i) => [e, i] as const)
    .filter(([e]) => e.runtimeChanges.length > 0)
    .sort((x, y) => delta(y[0]) - delta(x[0]))[0];
  if (runtime) return runtime[1];
  let best: number | null = null;
  let bestDelta = 0;
  entries.forEach((e, i) => {
    if (delta(e) > bestDelta) {
      bestDelta = delta(e);
      best = i;
    }
  });
  return best;
}

function ownMeasure(f: NodeFigures | null, measure: "time" | "cost"): number {
  if (!f) return 0;
  return (measure === "time" ? f.exclusiveMs : f.exclusiveCost) ?? 0;
}

function slowerNodeText(entry: DiffEntry, measure: "time" | "cost"): string {
  const show = (f: NodeFigures | null) =>
    measure === "time" ? formatMs(f?.exclusiveMs ?? 0) : `cost ${formatCount(f?.exclusiveCost ?? 0)}`;
  return `same plan shape; ${entry.after?.label ?? entry.before?.label} changed most: ${show(entry.before)} → ${show(entry.after)} in the node itself`;
}

const ENTRY_INDEX = new WeakMap<PlanDiff, { before: Map<number, number>; after: Map<number, number> }>();

/** Where a node of either plan sits in the merged tree (looked up in maps built once per diff). */
function entryOf(diff: PlanDiff, side: "before" | "after", id: number): number | null {
  let index = ENTRY_INDEX.get(diff);
  if (!index) {
    index = { before: new Map(), after: new Map() };
    diff.entries.forEach((e, i) => {
      if (e.beforeId !== null) index?.before.set(e.beforeId, i);
      if (e.afterId !== null) index?.after.set(e.afterId, i);
    });
    ENTRY_INDEX.set(diff, index);
  }
  return index[side].get(id) ?? null;
}

/** The scan a Bitmap Index Scan feeds (through BitmapAnd/BitmapOr), else the node itself. */
function heapScanOf(plan: AnalyzedPlan, node: PlanNode): PlanNode {
  let current = node;
  for (;;) {
    const parent = plan.parents[current.id];
    if (!parent || !["Bitmap Index Scan", "BitmapAnd", "BitmapOr"].includes(current.nodeType)) return current;
    current = parent;
  }
}

/**
 * An index one plan uses and the other does not, said at each scan that used it: "the index x is no longer
 * used: Index Scan on t → Seq Scan on t", or "... no longer used for <scan>" when another scan still uses it.
 */
function indexReasons(diff: PlanDiff): DiffReason[] {
  const out: DiffReason[] = [];
  const scansByIndex = (plan: AnalyzedPlan) => {
    const map = new Map<string, PlanNode[]>();
    for (const n of plan.nodes) {
      if (!n.indexName) continue;
      const scan = heapScanOf(plan, n);
      const list = map.get(n.indexName) ?? [];
      if (!list.includes(scan)) list.push(scan);
      map.set(n.indexName, list);
    }
    return map;
  };
  const was = scansByIndex(diff.before);
  const now = scansByIndex(diff.after);
  const usesIndex = (scans: PlanNode[] | undefined, id: number | null) =>
    scans?.some((s) => s.id === id) ?? false;
  for (const [name, scans] of was) {
    for (const scan of scans) {
      const entry = entryOf(diff, "before", scan.id);
      const e = entry === null ? null : (diff.entries[entry] as DiffEntry);
      if (e && usesIndex(now.get(name), e.afterId)) continue;
      const filtered = e?.after?.rowsRemovedByFilter ?? 0;
      const change = e?.after && e.before ? `${bareLabel(e.before.label)} → ${e.after.label}` : "";
      const where = now.has(name)
        ? ` for ${change || bareLabel(e?.before?.label ?? name)}`
        : change
          ? `: ${change}`
          : "";
      out.push({
        kind: "index-unused",
        entry,
        text: `the index ${name} is no longer used${where}${filtered ? ` (rows removed by filter ${formatCount(filtered)})` : ""}`,
      });
    }
  }
  for (const [name, scans] of now) {
    for (const scan of scans) {
      const entry = entryOf(diff, "after", scan.id);
      const e = entry === null ? null : (diff.entries[entry] as DiffEntry);
      if (e?.beforeId !== null && e?.beforeId !== undefined && usesIndex(was.get(name), e.beforeId)) continue;
      const change = e?.after && e.before ? `${e.before.label} → ${bareLabel(e.after.label)}` : "";
      const where = was.has(name)
        ? ` also for ${change || bareLabel(e?.after?.label ?? name)}`
        : change
          ? `: ${change}`
          : "";
      out.push({ kind: "index-used", entry, text: `the index ${name} is now used${where}` });
    }
  }
  return out;
}

/** A scan's label without "using <index>", which the reason names already. */
function bareLabel(label: string): string {
  return label.replace(/ using \S+/, "");
}

const QUIET_ADDITIONS = new Set(["Hash", "Bitmap Index Scan", "BitmapAnd", "BitmapOr"]);

function entryReasons(diff: PlanDiff, explained: Set<number | null>): DiffReason[] {
  const out: DiffReason[] = [];
  const { entries, before, after } = diff;
  entries.forEach((e, i) => {
    const bNode = e.beforeId === null ? null : (before.nodes[e.beforeId] as PlanNode);
    const aNode = e.afterId === null ? null : (after.nodes[e.afterId] as PlanNode);
    if (bNode && aNode) out.push(...pairReasons(e, i, bNode, aNode, explained.has(i)));
    else if (aNode) {
      if (nodeKind(aNode) === "gather")
        out.push({
          kind: "parallel-gained",
          entry: i,
          text: `the plan went parallel: ${aNode.nodeType} added (workers planned ${aNode.props["Workers Planned"] ?? "?"}${aNode.props["Workers Launched"] !== undefined ? `, launched ${aNode.props["Workers Launched"]}` : ""})`,
        });
      else if (!QUIET_ADDITIONS.has(aNode.nodeType) && aNode.details["Partial Mode"] !== "Partial")
        out.push({ kind: "node-added", entry: i, text: `${e.after?.label} added${keyText(aNode)}` });
    } else if (bNode) {
      if (nodeKind(bNode) === "gather") {
        if (!after.nodes.some((n) => nodeKind(n) === "gather"))
          out.push({
            kind: "parallel-lost",
            entry: i,
            text: `the plan is no longer parallel: ${bNode.nodeType} (workers planned ${bNode.props["Workers Planned"] ?? "?"}) removed`,
          });
      } else if (!QUIET_ADDITIONS.has(bNode.nodeType) && bNode.details["Partial Mode"] !== "Partial")
        out.push({ kind: "node-removed", entry: i, text: `${e.before?.label} removed${keyText(bNode)}` });
    }
  });
  return out;
}

function keyText(node: PlanNode): string {
  const key = node.props["Sort Key"] ?? node.props["Group Key"] ?? node.props["Cache Key"];
  if (key === undefined) return "";
  return ` (${Array.isArray(key) ? key.join(", ") : String(key)})`;
}

function pairReasons(e: DiffEntry, i: number, b: PlanNode, a: PlanNode, indexChanged: boolean): DiffReason[] {
  const out: DiffReason[] = [];
  const kind = nodeKind(a);
  const sameKind = nodeKind(b) === kind;
  if (
    kind === "join" &&
    sameKind &&
    (b.nodeType !== a.nodeType || b.details["Join Type"] !== a.details["Join Type"])
  )
    out.push({
      kind: "join-method",
      entry: i,
      text: `join method changed: ${e.before?.label} → ${e.after?.label}`,
    });
  if (e.shapeChanges.some((c) => c.startsWith("outer and inner")))
    out.push({
      kind: "join-order",
      entry: i,
      text: `join order changed at ${e.after?.label}: outer and inner sides swapped`,
    });
  if (kind === "scan" && sameKind && !indexChanged && b.nodeType !== a.nodeType)
    out.push({
      kind: "scan-method",
      entry: i,
      text: `scan method changed: ${e.before?.label} → ${e.after?.label}`,
    });
  if (a.nodeType === "Aggregate" && b.nodeType === "Aggregate" && a.details.Strategy !== b.details.Strategy)
    out.push({
      kind: "aggregate-strategy",
      entry: i,
      text: `aggregate strategy changed: ${e.before?.label} → ${e.after?.label}`,
    });
  if (!sameKind)
    out.push({ kind: "node-changed", entry: i, text: `${e.before?.label} replaced by ${e.after?.label}` });
  if (a.props["Sort Space Type"] === "Disk" && b.props["Sort Space Type"] !== "Disk") {
    const temp = (e.after?.tempWritten ?? 0) * BLOCK;
    out.push({
      kind: "sort-spill",
      entry: i,
      text: `sort spilled to disk: ${b.props["Sort Method"] ?? "in memory"} → ${a.props["Sort Method"]} (disk ${formatBytes(Number(a.props["Sort Space Used"] ?? 0) * 1024)}${temp ? `, temp written ${formatBytes(temp)}` : ""}): work_mem is too small for it`,
    });
  }
  const batches = (n: PlanNode, key: string) =>
    typeof n.props[key] === "number" ? (n.props[key] as number) : 1;
  if (a.nodeType === "Hash" && batches(a, "Hash Batches") > batches(b, "Hash Batches"))
    out.push({
      kind: "hash-batches",
      entry: i,
      text: `the hash table was split into ${batches(a, "Hash Batches")} batches (was ${batches(b, "Hash Batches")}) written to disk: it no longer fits in work_mem × hash_mem_multiplier`,
    });
  if (batches(a, "HashAgg Batches") > batches(b, "HashAgg Batches"))
    out.push({
      kind: "hash-aggregate-spill",
      entry: i,
      text: `hash aggregate spilled to disk: ${batches(a, "HashAgg Batches")} batches (was ${batches(b, "HashAgg Batches")})${a.props["Disk Usage"] ? `, disk ${formatBytes(Number(a.props["Disk Usage"]) * 1024)}` : ""}`,
    });
  const planned = a.props["Workers Planned"];
  const launched = a.props["Workers Launched"];
  if (typeof planned === "number" && typeof launched === "number" && launched < planned) {
    const was = b.props["Workers Launched"];
    if (!(typeof was === "number" && was <= launched))
      out.push({
        kind: "workers-not-launched",
        entry: i,
        text: `parallel workers planned ${planned}, launched ${launched}: the leader did the rest (max_parallel_workers or max_worker_processes used up by other sessions)`,
      });
  }
  return out;
}

/**
 * The likeliest cause of a plan flip: a row estimate far off in the plan that chose worse, or an estimate that
 * moved while the rows did not (statistics differ between the two runs).
 */
function estimateReasons(diff: PlanDiff, measure: "time" | "cost"): DiffReason[] {
  const out: DiffReason[] = [];
  const flipped = diff.entries.some(isPlannerChoice);
  const bTotal = measure === "time" ? diff.before.totalMs : diff.before.totalCost;
  const aTotal = measure === "time" ? diff.after.totalMs : diff.after.totalCost;
  const sides: Array<["before" | "after", AnalyzedPlan]> =
    (aTotal ?? 0) >= (bTotal ?? 0)
      ? [
          ["after", diff.after],
          ["before", diff.before],
        ]
      : [
          ["before", diff.before],
          ["after", diff.after],
        ];
  for (const [side, plan] of sides) {
    const worst = worstEstimate(plan);
    if (!worst) continue;
    const { node, factor } = worst;
    const actualRows = node.actual ? node.actual.rows : 0;
    out.push({
      kind: "estimate-off",
      entry: entryOf(diff, side, node.id),
      text: `estimate off by ${formatFactor(factor)} on ${diffLabel(node)} in the ${side} plan (est. ${formatCount(node.planRows)}, actual ${formatCount(actualRows)}${node.actual && node.actual.loops > 1 ? ` per loop over ${formatCount(node.actual.loops)} loops` : ""})${flipped ? ": the likely cause of the plan flip" : ""}`,
    });
    break;
  }
  for (const [i, e] of diff.entries.entries()) {
    if (!e.before || !e.after || e.beforeId === null || e.afterId === null) continue;
    const node = diff.after.nodes[e.afterId] as PlanNode;
    const old = diff.before.nodes[e.beforeId] as PlanNode;
    // A scan run once per outer row estimates per loop: its estimate moves with the join, not the statistics.
    if (nodeKind(node) !== "scan" || parameterized(diff.after, node) || parameterized(diff.before, old))
      continue;
    const was = Math.max(1, e.before.planRows ?? 1);
    const now = Math.max(1, e.after.planRows ?? 1);
    if (Math.max(was, now) / Math.min(was, now) < 10) continue;
    // Per-loop actual rows, which the estimate is compared with.
    const perLoop = (f: NodeFigures) => (f.actualRows !== null && f.loops ? f.actualRows / f.loops : null);
    const actualWas = perLoop(e.before);
    const actualNow = perLoop(e.after);
    const steady =
      actualWas !== null &&
      actualNow !== null &&
      Math.max(actualWas, actualNow, 1) / Math.max(1, Math.min(actualWas, actualNow)) < 2;
    out.push({
      kind: "estimate-changed",
      entry: i,
      text: steady
        ? `the estimate for ${e.after.label} changed ${formatCount(was)} → ${formatCount(now)} rows while the actual rows stayed about ${formatCount(actualNow)}: the statistics differ (stale, or analysed in between)`
        : `the estimate for ${e.after.label} changed ${formatCount(was)} → ${formatCount(now)} rows`,
    });
  }
  for (const [i, e] of diff.entries.entries()) {
    if (!e.before?.actualRows || !e.after?.actualRows || e.afterId === null || e.beforeId === null) continue;
    const node = diff.after.nodes[e.afterId] as PlanNode;
    const old = diff.before.nodes[e.beforeId] as PlanNode;
    // Rows read by another method or once per outer row say nothing about the data.
    if (nodeKind(node) !== "scan" || node.nodeType !== old.nodeType) continue;
    // Under a Gather each process counts its own rows.
    if (diff.after.metrics[node.id]?.processes !== diff.before.metrics[old.id]?.processes) continue;
    if (parameterized(diff.after, node) || parameterized(diff.before, old)) continue;
    const was = e.before.actualRows;
    const now = e.after.actualRows;
    const ratio = Math.max(was, now) / Math.min(was, now);
    if (ratio < 2 || Math.abs(now - was) < 1000) continue;
    out.push({
      kind: "rows-changed",
      entry: i,
      text: `${e.after.label} returns ${formatFactor(ratio)} ${now > was ? "more" : "fewer"} rows (${formatCount(was)} → ${formatCount(now)})`,
    });
  }
  return out;
}

/**
 * Where a misestimate starts: the scan with the largest factor (10× at least), else any node. A join above a
 * misestimated scan inherits the error, so the scan is where it comes from.
 */
function worstEstimate(plan: AnalyzedPlan): { node: PlanNode; factor: number } | null {
  if (!plan.plan.analyzed) return null;
  let best: { node: PlanNode; factor: number } | null = null;
  let bestScan: { node: PlanNode; factor: number } | null = null;
  for (const node of plan.nodes) {
    const metrics = plan.metrics[node.id];
    const factor = metrics?.rowFactor ?? 0;
    if (factor < 10 || !node.actual) continue;
    if (metrics?.rowDirection === "over" && stoppedEarly(plan, node)) continue;
    if (!best || factor > best.factor) best = { node, factor };
    if (nodeKind(node) === "scan" && (!bestScan || factor > bestScan.factor)) bestScan = { node, factor };
  }
  return bestScan ?? best;
}

/**
 * Whether a node may be stopped before it returns all its rows: under a Limit, or as the inner side of a semi or
 * anti join or a Merge Join. Fewer rows than estimated there is the plan working, not a misestimate.
 */
function stoppedEarly(plan: AnalyzedPlan, node: PlanNode): boolean {
  let child = node;
  for (let parent = plan.parents[child.id]; parent; parent = plan.parents[child.id]) {
    if (parent.nodeType === "Limit") return true;
    const joinType = parent.details["Join Type"] ?? "";
    if (nodeKind(parent) === "join" && parent.children[0] !== child && /Semi|Anti/.test(joinType))
      return true;
    if (parent.nodeType === "Merge Join") return true;
    if (child.role !== "child") return false;
    child = parent;
  }
  return false;
}

/** Run once per outer row: the inner side of a Nested Loop, possibly under a Memoize or Materialize. */
function parameterized(plan: AnalyzedPlan, node: PlanNode): boolean {
  let current = node;
  for (let parent = plan.parents[current.id]; parent; parent = plan.parents[current.id]) {
    if (parent.nodeType === "Nested Loop") return parent.children[0] !== current;
    if (!["Memoize", "Materialize", "Bitmap Heap Scan"].includes(parent.nodeType)) return false;
    current = parent;
  }
  return false;
}

function diffLabel(node: PlanNode): string {
  const target = node.relationName
    ? `${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ""}`
    : node.nodeType;
  return node.relationName ? `${node.nodeType} on ${target}` : target;
}

function settingReasons(before: AnalyzedPlan, after: AnalyzedPlan): DiffReason[] {
  const b = before.plan.settings;
  const a = after.plan.settings;
  const names = new Set([...Object.keys(b), ...Object.keys(a)]);
  if (!Object.keys(b).length && !Object.keys(a).length) return [];
  const out: DiffReason[] = [];
  for (const name of [...names].sort()) {
    if (b[name] === a[name]) continue;
    out.push({
      kind: "setting-changed",
      entry: null,
      text: `setting ${name}: ${b[name] ?? "default"} → ${a[name] ?? "default"}`,
    });
  }
  return out;
}

function diskReadReasons(before: AnalyzedPlan, after: AnalyzedPlan): DiffReason[] {
  const read = (p: AnalyzedPlan) => p.plan.root.buffers?.sharedRead ?? null;
  const was = read(before);
  const now = read(after);
  if (was === null || now === null || now - was < 1000 || now < 2 * was) return [];
  return [
    {
      kind: "disk-reads",
      entry: null,
      text: `blocks read from outside shared buffers: ${formatCount(was)} → ${formatCount(now)} (${formatBytes(now * BLOCK)}): a plan that reads more, a colder cache, or more data`,
    },
  ];
}
