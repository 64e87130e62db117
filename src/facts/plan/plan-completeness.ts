/**
 * Whether a plan read from text is whole. A text plan has no closing mark, so a paste cut short still parses;
 * what gives it away is a node that always has inputs and has none left (a Hash Join with one side, a Hash
 * or a Sort with nothing under it).
 */
import { type PlanNode, walkPlan } from "./plan-model.js";

/** How many inputs (role "child") a node of each type always has. */
const INPUTS: Record<string, number> = {
  "Nested Loop": 2,
  "Hash Join": 2,
  "Merge Join": 2,
  "Recursive Union": 2,
  Hash: 1,
  Sort: 1,
  "Incremental Sort": 1,
  Limit: 1,
  Gather: 1,
  "Gather Merge": 1,
  Materialize: 1,
  Memoize: 1,
  Unique: 1,
  "Bitmap Heap Scan": 1,
  Aggregate: 1,
  Group: 1,
  WindowAgg: 1,
  LockRows: 1,
  "Subquery Scan": 1,
  ProjectSet: 1,
  SetOp: 1,
};

/** The first node short of its inputs, said in a line ("Hash Join has 1 of its 2 inputs"), or null. */
export function missingInputs(root: PlanNode): string | null {
  for (const [node] of walkPlan(root)) {
    const needed = INPUTS[node.nodeType];
    if (needed === undefined) continue;
    const has = node.children.filter((c) => c.role === "child").length;
    if (has < needed)
      return `${node.nodeType} (node ${node.id + 1}) has ${has === 0 ? "no input" : `${has} of its ${needed} inputs`} under it`;
  }
  return null;
}
