import type { PlanNode } from "./plan-model.js";

/** "Seq Scan on orders o", "Index Scan using orders_pkey on orders", "Hash Join". */
export function nodeLabel(node: PlanNode): string {
  const parallel = node.parallelAware ? "Parallel " : "";
  const name =
    node.nodeType === "Aggregate" && node.details.Strategy
      ? { Plain: "Aggregate", Sorted: "GroupAggregate", Hashed: "HashAggregate", Mixed: "MixedAggregate" }[
          node.details.Strategy
        ]
      : node.nodeType === "ModifyTable"
        ? (node.details.Operation ?? "ModifyTable")
        : node.nodeType;
  const using = node.indexName ? ` using ${node.indexName}` : "";
  const target = node.relationName
    ? ` on ${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ""}`
    : node.alias
      ? ` on ${node.alias}`
      : "";
  return `${parallel}${name}${node.nodeType === "Bitmap Index Scan" ? ` on ${node.indexName}` : `${using}${target}`}`;
}
