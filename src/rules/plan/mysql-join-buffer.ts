/**
 * A MySQL/MariaDB join with no usable index: the inner table is read whole into or against a join buffer (block
 * nested loop, BNL/BNLH, or MySQL 8's hash join) instead of looked up by an index, for each buffer of outer
 * rows. An index on the inner table's join column turns it into a lookup (ref/eq_ref).
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { Finding } from "../../findings/finding.js";
import type { Rule } from "../rule.js";
import {
  addIndexSql,
  conditionColumns,
  conditionOf,
  MYSQL_DIALECTS,
  MYSQL_EXPLAIN_DOCS,
  realTable,
  unrunCostShare,
} from "./mysql-plan-facts.js";
import type { PlanFacts } from "./plan-facts.js";
import { subtree } from "./plan-facts.js";

export const mysqlJoinBuffer: Rule<PlanFacts, { minRows: number }> = {
  id: "plan/mysql-join-buffer",
  family: "plan",
  title: "Join without a usable index (MySQL/MariaDB)",
  description:
    "A join through a join buffer (block nested loop or hash join): the inner table has no index on the join column, so it is scanned whole instead of looked up.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: {
    minRows: { default: 1_000, description: "rows of the inner table before the join is reported" },
  },
  check(facts, options) {
    const findings: Finding[] = [];
    for (const node of facts.analyzed.nodes) {
      const buffer = node.props[MYSQL_PROP.joinBuffer];
      if (typeof buffer !== "string") continue;
      const inner = innerTable(node);
      if (!inner?.relationName) continue;
      const rows = inner.planRows ?? 0;
      if (rows < options.minRows) continue;
      const condition =
        conditionOf(facts, inner) ??
        (typeof node.props[MYSQL_PROP.condition] === "string"
          ? (node.props[MYSQL_PROP.condition] as string)
          : null);
      const columns = condition ? conditionColumns(condition, inner.relationName).slice(0, 1) : [];
      const table = realTable(facts, inner.relationName);
      const joinMs =
        typeof node.props[MYSQL_PROP.joinTimeMs] === "number"
          ? (node.props[MYSQL_PROP.joinTimeMs] as number)
          : null;
      findings.push({
        ruleId: this.id,
        severity: "warning",
        title: `join without an index on ${inner.relationName} (${buffer}): ${rows.toLocaleString("en-US")} rows scanned per buffer`,
        detail: `${inner.relationName} is joined through a join buffer (${buffer}): each buffer of outer rows is compared with all ${rows.toLocaleString("en-US")} rows of it.${condition ? ` Join condition: ${condition}.` : ""}${joinMs !== null ? ` The join itself took ${joinMs.toFixed(1)} ms.` : ""}`,
        evidence: { table: inner.relationName, joinBuffer: buffer, innerRows: rows, joinTimeMs: joinMs },
        fix:
          columns.length > 0
            ? {
                sql: addIndexSql(table.name, columns),
                note: `An index on ${table.name} (${columns.join(", ")}) lets each outer row look its matches up (ref access) instead of scanning the table; the join condition must compare the column itself, not an expression of it, and both sides in the same type and collation.${table.caveat}`,
                dialect: "mysql" as const,
              }
            : {
                note: "Index the inner table's join column, with the same type and collation as the column it is compared with.",
              },
        docsUrl: this.docsUrl,
        impact: joinMs ?? unrunCostShare(facts, node),
        ...(joinMs !== null ? { timeMs: joinMs } : {}),
      });
    }
    return findings;
  },
};

/** The table read through the buffer: the flagged table itself, or the one under a block-nl-join or hash join's Hash. */
function innerTable(node: PlanNode): PlanNode | null {
  if (typeof node.props[MYSQL_PROP.accessType] === "string") return node;
  const side =
    node.nodeType === "Hash Join"
      ? (node.children.find((c) => c.nodeType === "Hash") ?? node.children[1])
      : node;
  if (!side) return null;
  return subtree(side).find((n) => typeof n.props[MYSQL_PROP.accessType] === "string") ?? null;
}
