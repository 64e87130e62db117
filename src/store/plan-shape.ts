import { createHash } from "node:crypto";
import { type Plan, type PlanNode, walkPlan } from "../facts/plan/plan-model.js";
import { DETAIL_KEYS } from "../facts/plan/plan-props.js";

/**
 * One line per node, in pre-order with its depth: node type, how it hangs under its parent, the relation, alias
 * and index it reads, and the choices that make it (join type, aggregate strategy, scan direction). Costs and row
 * estimates are left out: they move with every ANALYZE, while the shape changes only when the plan does.
 */
export function planShape(plan: Plan): string[] {
  const depth = new Map<PlanNode, number>();
  const lines: string[] = [];
  for (const [node, parent] of walkPlan(plan.root)) {
    const level = parent ? (depth.get(parent) ?? 0) + 1 : 0;
    depth.set(node, level);
    const parts = [
      node.nodeType,
      node.role === "child" ? "" : `${node.role} ${node.subplanName ?? ""}`.trim(),
      node.relationName ? `${node.schema ?? ""}.${node.relationName}` : "",
      node.alias && node.alias !== node.relationName ? `as ${node.alias}` : "",
      node.indexName ? `using ${node.indexName}` : "",
      node.parallelAware ? "parallel" : "",
      // The planner's choices (how to join, aggregate, scan), not its estimates.
      ...DETAIL_KEYS.map((k) => (node.details[k] ? `${k}=${node.details[k]}` : "")),
    ].filter(Boolean);
    lines.push(`${"  ".repeat(level)}${parts.join(" | ")}`);
  }
  return lines;
}

/** A short hash of the plan's shape: equal for the same plan whatever its costs, different when the plan changed. */
export function planShapeHash(plan: Plan): string {
  return createHash("sha256").update(planShape(plan).join("\n")).digest("hex").slice(0, 16);
}
