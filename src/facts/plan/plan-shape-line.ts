import { type Plan, walkPlan } from "./plan-model.js";

/** A plan's shape on one line: its nodes in pre-order with what they read, "Aggregate > Seq Scan on public.events". */
export function shapeLine(plan: Plan, limit = 8): string {
  const parts: string[] = [];
  for (const [node] of walkPlan(plan.root)) {
    if (parts.length === limit) {
      parts.push("…");
      break;
    }
    const on = node.relationName ? ` on ${node.schema ? `${node.schema}.` : ""}${node.relationName}` : "";
    parts.push(`${node.nodeType}${node.indexName ? ` using ${node.indexName}` : ""}${on}`);
  }
  return parts.join(" > ");
}
