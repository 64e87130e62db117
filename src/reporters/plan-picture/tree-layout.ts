/**
 * Where each node of a plan tree goes in a top-down picture: leaves take the next free column from left to right,
 * a parent sits centred over its first and last child, and each level is one row. Built with explicit stacks, so a
 * plan thousands of levels deep is laid out without growing the call stack.
 */
import type { PlanNode } from "../../facts/plan/plan-model.js";

export interface NodePlace {
  node: PlanNode;
  parent: PlanNode | null;
  /** Column (may be fractional for a parent centred over its children) and row (the depth). */
  column: number;
  row: number;
}

export interface TreeLayout {
  /** By node, in pre-order. */
  places: NodePlace[];
  columns: number;
  rows: number;
}

export function layOutTree(root: PlanNode): TreeLayout {
  const places: NodePlace[] = [];
  const byNode = new Map<PlanNode, NodePlace>();
  // Pre-order: rows, and the order leaves take their columns.
  const stack: Array<[PlanNode, PlanNode | null, number]> = [[root, null, 0]];
  let nextColumn = 0;
  let rows = 0;
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, parent, row] = entry;
    const place: NodePlace = { node, parent, column: 0, row };
    places.push(place);
    byNode.set(node, place);
    rows = Math.max(rows, row + 1);
    if (node.children.length === 0) place.column = nextColumn++;
    for (let i = node.children.length - 1; i >= 0; i--)
      stack.push([node.children[i] as PlanNode, node, row + 1]);
  }
  // Reverse pre-order visits every child before its parent: centre parents over their children.
  for (let i = places.length - 1; i >= 0; i--) {
    const place = places[i] as NodePlace;
    const { children } = place.node;
    if (children.length === 0) continue;
    const first = byNode.get(children[0] as PlanNode) as NodePlace;
    const last = byNode.get(children[children.length - 1] as PlanNode) as NodePlace;
    place.column = (first.column + last.column) / 2;
  }
  return { places, columns: Math.max(1, nextColumn), rows };
}
