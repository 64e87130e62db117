/**
 * Rows examined far above rows sent (ANALYZE forms): the server read many rows to return few, the pattern of a
 * condition no index serves. Examined is every table's rows over all its loops; sent is the root's measured
 * rows (TREE), or what leaves the top query block (MariaDB: its sort's output, or its last table's rows after
 * the condition).
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { NodeMetrics } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { Finding } from "../../findings/finding.js";
import type { Rule } from "../rule.js";
import { MYSQL_DIALECTS, MYSQL_EXPLAIN_DOCS, numberProp, tableNodes } from "./mysql-plan-facts.js";
import { nodeImpact, type PlanFacts } from "./plan-facts.js";

export const mysqlRowsExamined: Rule<PlanFacts, { minExamined: number; minRatio: number }> = {
  id: "plan/mysql-rows-examined",
  family: "plan",
  title: "Rows examined far above rows sent (MySQL/MariaDB)",
  description:
    "The statement examined many times more rows than it returned: most of the reading was thrown away by conditions an index could have applied.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: {
    minExamined: { default: 10_000, description: "rows examined before the ratio is judged" },
    minRatio: { default: 100, description: "rows examined per row sent" },
  },
  check(facts, options) {
    const tables = tableNodes(facts).filter((n) => n.actual);
    if (tables.length === 0) return [];
    const examined = tables.reduce((sum, n) => sum + (n.actual ? n.actual.rows * n.actual.loops : 0), 0);
    const sent = rowsSent(facts.analyzed.plan.root);
    if (sent === null || examined < options.minExamined) return [];
    const ratio = examined / Math.max(1, sent);
    if (ratio < options.minRatio) return [];
    const worst = [...tables].sort(
      (a, b) =>
        (b.actual ? b.actual.rows * b.actual.loops : 0) - (a.actual ? a.actual.rows * a.actual.loops : 0),
    )[0] as PlanNode;
    const round = (n: number) => Math.round(n).toLocaleString("en-US");
    const finding: Finding = {
      ruleId: this.id,
      severity: ratio >= 10 * options.minRatio ? "warning" : "info",
      title: `${round(examined)} rows examined to send ${round(sent)} (${round(ratio)} per row)`,
      detail: `The statement read ${round(examined)} rows and returned about ${round(sent)}; most were read from ${worst.relationName ?? "a table"} (${round(worst.actual ? worst.actual.rows * worst.actual.loops : 0)} rows, access type ${String(worst.props[MYSQL_PROP.accessType])}).`,
      evidence: {
        rowsExamined: examined,
        rowsSent: Math.round(sent),
        ratio: Math.round(ratio),
        table: worst.relationName,
      },
      fix: {
        note: "Look at the table that was read most (see plan/mysql-full-scan and plan/mysql-join-buffer for it): an index on the columns its condition compares lets the server read only the rows it returns.",
      },
      docsUrl: this.docsUrl,
      // Plan rules rank in the plan's unit (ms of the run, or a cost share): the most-read table's own share, not the row count.
      impact: nodeImpact(facts.analyzed.metrics[worst.id] as NodeMetrics),
    };
    return [finding];
  },
};

/** Rows the statement returned, when the plan shows them. */
function rowsSent(root: PlanNode): number | null {
  if (root.actual) return root.actual.rows * root.actual.loops;
  let top = root;
  // Down MariaDB's wrappers (query block, filesort, temporary table) to what produces the rows.
  for (;;) {
    if (top.nodeType === "Filesort" && top.actual) return top.actual.rows * top.actual.loops;
    const inputs = top.children.filter((c) => c.role === "child");
    if (top.nodeType === "Nested Loop Join") top = inputs[inputs.length - 1] as PlanNode;
    else if (inputs.length === 1) top = inputs[0] as PlanNode;
    else break;
    if (!top) return null;
    if (top.props[MYSQL_PROP.accessType] && top.actual) {
      const filtered = numberProp(top, MYSQL_PROP.actualFiltered) ?? 100;
      return (top.actual.rows * top.actual.loops * filtered) / 100;
    }
  }
  return null;
}
