/**
 * Aligns two plans of one statement node by node, the way an expert reads them side by side.
 *
 * The anchor is what a node computes, not where it sits: the set of relations (by alias) under it. A join of
 * c and o computes {c, o} whether it is a Nested Loop or a Hash Join and whichever side is outer; a Sort, a
 * Gather or a Hash above it computes the same set. So nodes are grouped by (scope, relation set), each group
 * read top-down, and the two sequences aligned by kind (joins with joins, scans with scans, sorts with sorts),
 * a same-type match weighing more. Nodes that no group pairs are then matched under already-paired parents by
 * kind and relation, and the two roots are always paired. What is left is added or removed.
 *
 * No recursion on depth: every walk uses the pre-order `nodes` arrays of AnalyzedPlan (a child's id is larger
 * than its parent's), so bottom-up passes run over ids in reverse.
 */
import type { AnalyzedPlan } from "./plan-metrics.js";
import type { PlanNode } from "./plan-model.js";

export interface PlanAlignment {
  /** For each node id of the before plan, the id of its counterpart in the after plan (null: removed). */
  beforeToAfter: Array<number | null>;
  /** For each node id of the after plan, the id of its counterpart in the before plan (null: added). */
  afterToBefore: Array<number | null>;
}

/** Above this many cells the sequence alignment of one group becomes a greedy walk (a 10,000-deep chain). */
const MAX_ALIGNMENT_CELLS = 1_000_000;

const KINDS: Record<string, string> = {
  "Nested Loop": "join",
  "Hash Join": "join",
  "Merge Join": "join",
  "Seq Scan": "scan",
  "Index Scan": "scan",
  "Index Only Scan": "scan",
  "Bitmap Heap Scan": "scan",
  "Tid Scan": "scan",
  "Tid Range Scan": "scan",
  "Sample Scan": "scan",
  "Foreign Scan": "scan",
  "Custom Scan": "scan",
  "Bitmap Index Scan": "bitmap",
  BitmapAnd: "bitmap",
  BitmapOr: "bitmap",
  Sort: "sort",
  "Incremental Sort": "sort",
  Gather: "gather",
  "Gather Merge": "gather",
  Append: "append",
  "Merge Append": "append",
};

/** What a node does, coarsely: nodes of one kind may replace each other between two plans. */
export function nodeKind(node: PlanNode): string {
  return KINDS[node.nodeType] ?? node.nodeType;
}

/** The name a scan's relation goes by in the statement: its alias, else its name. */
function relationKey(node: PlanNode): string | null {
  if (node.nodeType === "Bitmap Index Scan") return null; // its heap scan above names the relation
  return node.alias ?? node.relationName;
}

export function alignPlans(before: AnalyzedPlan, after: AnalyzedPlan): PlanAlignment {
  const beforeToAfter: Array<number | null> = before.nodes.map(() => null);
  const afterToBefore: Array<number | null> = after.nodes.map(() => null);
  const pair = (b: number, a: number) => {
    beforeToAfter[b] = a;
    afterToBefore[a] = b;
  };

  const beforeGroups = groupByComputedSet(before);
  const afterGroups = groupByComputedSet(after);
  for (const [key, beforeIds] of beforeGroups) {
    const afterIds = afterGroups.get(key);
    if (!afterIds) continue;
    for (const [b, a] of alignSequences(
      beforeIds.map((id) => before.nodes[id] as PlanNode),
      afterIds.map((id) => after.nodes[id] as PlanNode),
    ))
      pair(b, a);
  }

  if (beforeToAfter[0] === null && afterToBefore[0] === null && before.nodes.length && after.nodes.length)
    pair(0, 0);
  matchUnderPairedParents(before, after, beforeToAfter, afterToBefore, pair);
  return { beforeToAfter, afterToBefore };
}

/**
 * Node ids grouped by what they compute: "scope|relations". The scope separates InitPlans, SubPlans and CTEs
 * from the main query; a node without relations of its own below it (a Result, a Bitmap Index Scan, a
 * BitmapOr) belongs to its parent's group.
 */
function groupByComputedSet(plan: AnalyzedPlan): Map<string, number[]> {
  const { nodes, parents } = plan;
  const relations: Array<Set<string>> = nodes.map(() => new Set());
  for (let id = nodes.length - 1; id >= 0; id--) {
    const node = nodes[id] as PlanNode;
    const own = relationKey(node);
    const set = relations[id] as Set<string>;
    if (own !== null) set.add(own);
    const parent = parents[id];
    if (parent && node.role === "child") for (const r of set) relations[parent.id]?.add(r);
  }
  const scopes: string[] = [];
  const keys: string[] = [];
  const groups = new Map<string, number[]>();
  for (let id = 0; id < nodes.length; id++) {
    const node = nodes[id] as PlanNode;
    const parent = parents[id];
    const parentScope = parent ? (scopes[parent.id] ?? "") : "";
    scopes[id] = node.role === "child" ? parentScope : `${parentScope}/${node.subplanName ?? node.role}`;
    const set = relations[id] as Set<string>;
    const key =
      set.size === 0 && parent && node.role === "child"
        ? (keys[parent.id] ?? "")
        : `${scopes[id]}|${[...set].sort().join(",")}`;
    keys[id] = key;
    const list = groups.get(key) ?? [];
    list.push(id);
    groups.set(key, list);
  }
  return groups;
}

/**
 * Pairs of ids from two top-down sequences: the heaviest common subsequence where nodes of one kind match
 * (2 for the same node type, 1 for the same kind), then a gap of exactly one node on each side is paired too
 * (a Materialize that became a Memoize is one step, not a removal and an addition).
 */
function alignSequences(before: PlanNode[], after: PlanNode[]): Array<[number, number]> {
  const score = (b: PlanNode, a: PlanNode) =>
    b.nodeType === a.nodeType && b.indexName === a.indexName
      ? 3
      : b.nodeType === a.nodeType
        ? 2
        : nodeKind(b) === nodeKind(a)
          ? 1
          : 0;
  const n = before.length;
  const m = after.length;
  const anchors: Array<[number, number]> = [];
  if (n * m > MAX_ALIGNMENT_CELLS) {
    // Greedy: walk both in order, pairing the next node of the same kind.
    let j = 0;
    for (let i = 0; i < n && j < m; i++) {
      const b = before[i] as PlanNode;
      let k = j;
      while (k < m && score(b, after[k] as PlanNode) === 0) k++;
      if (k < m) {
        anchors.push([i, k]);
        j = k + 1;
      }
    }
  } else {
    const width = m + 1;
    const best = new Float64Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        const s = score(before[i] as PlanNode, after[j] as PlanNode);
        const take = s > 0 ? s + (best[(i + 1) * width + j + 1] as number) : 0;
        best[i * width + j] = Math.max(
          take,
          best[(i + 1) * width + j] as number,
          best[i * width + j + 1] as number,
        );
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      const s = score(before[i] as PlanNode, after[j] as PlanNode);
      const here = best[i * width + j] as number;
      if (s > 0 && here === s + (best[(i + 1) * width + j + 1] as number)) {
        anchors.push([i, j]);
        i++;
        j++;
      } else if (here === best[(i + 1) * width + j]) i++;
      else j++;
    }
  }
  // One node on each side between two anchors: the same step done another way (a Materialize that became a
  // Memoize). Not for scans, joins and parallel nodes: their replacement has a kind of its own to match.
  const structural = new Set(["scan", "bitmap", "join", "gather"]);
  const replaceable = (i: number, j: number) =>
    !structural.has(nodeKind(before[i] as PlanNode)) && !structural.has(nodeKind(after[j] as PlanNode));
  const out: Array<[number, number]> = [];
  let lastI = -1;
  let lastJ = -1;
  for (const [i, j] of [...anchors, [n, m] as [number, number]]) {
    if (i - lastI === 2 && j - lastJ === 2 && replaceable(lastI + 1, lastJ + 1))
      out.push([lastI + 1, lastJ + 1]);
    if (i < n) out.push([i, j]);
    lastI = i;
    lastJ = j;
  }
  return out.map(([i, j]) => [(before[i] as PlanNode).id, (after[j] as PlanNode).id]);
}

/**
 * Children left unpaired under paired parents, paired by kind and relation in order (a SubPlan renumbered, a
 * partition set pruned differently). Parents are visited in pre-order, so a pair made here is visited too.
 */
function matchUnderPairedParents(
  before: AnalyzedPlan,
  after: AnalyzedPlan,
  beforeToAfter: Array<number | null>,
  afterToBefore: Array<number | null>,
  pair: (b: number, a: number) => void,
): void {
  for (let id = 0; id < before.nodes.length; id++) {
    const otherId = beforeToAfter[id];
    if (otherId === null || otherId === undefined) continue;
    const b = before.nodes[id] as PlanNode;
    const a = after.nodes[otherId] as PlanNode;
    const free = a.children.filter((c) => afterToBefore[c.id] === null);
    for (const child of b.children) {
      if (beforeToAfter[child.id] !== null) continue;
      const index = free.findIndex(
        (c) =>
          c.role === child.role &&
          nodeKind(c) === nodeKind(child) &&
          (c.relationName === child.relationName || (c.role !== "child" && c.subplanName !== null)),
      );
      if (index < 0) continue;
      pair(child.id, (free[index] as PlanNode).id);
      free.splice(index, 1);
    }
  }
}
