/**
 * A MySQL/MariaDB table read whole: access type ALL (full table scan) or index (the whole index read in order)
 * on a table large enough to matter. The fix is an index on the columns the condition compares, equalities
 * first, when the plan shows that condition.
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { Finding } from "../../findings/finding.js";
import type { Rule } from "../rule.js";
import {
  addIndexSql,
  conditionColumns,
  conditionOf,
  MYSQL_DIALECTS,
  MYSQL_EXPLAIN_DOCS,
  numberProp,
  realTable,
  rowsExamined,
  tableNodes,
  unrunCostShare,
} from "./mysql-plan-facts.js";
import type { PlanFacts } from "./plan-facts.js";

export const mysqlFullScan: Rule<PlanFacts, { minRows: number }> = {
  id: "plan/mysql-full-scan",
  family: "plan",
  title: "Full table or index scan (MySQL/MariaDB)",
  description:
    "A table read whole (access type ALL) or an index read whole (type index) on a large table: every row is examined for each execution.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: { minRows: { default: 10_000, description: "rows examined before a full scan is reported" } },
  check(facts, options) {
    const findings: Finding[] = [];
    for (const node of tableNodes(facts)) {
      const access = node.props[MYSQL_PROP.accessType];
      if (access !== "ALL" && access !== "index") continue;
      const rows = rowsExamined(node);
      if (rows < options.minRows || !node.relationName) continue;
      const filtered = numberProp(node, MYSQL_PROP.actualFiltered) ?? numberProp(node, MYSQL_PROP.filtered);
      const timeMs = node.actual?.totalMs != null ? node.actual.totalMs * node.actual.loops : null;
      const condition = conditionOf(facts, node);
      const columns = condition ? conditionColumns(condition, node.relationName) : [];
      const table = realTable(facts, node.relationName);
      const whole = access === "ALL" ? "full table scan" : `full scan of index ${node.indexName ?? "?"}`;
      const kept = filtered !== null && filtered < 100 ? `; ${filtered}% of them pass the condition` : "";
      findings.push({
        ruleId: this.id,
        severity: access === "ALL" ? "warning" : "info",
        title: `${whole} on ${node.relationName}: ${rows.toLocaleString("en-US")} rows examined`,
        detail: `${node.relationName} is read ${access === "ALL" ? "row by row from the first to the last" : "through the whole index"} (type ${access}): ${rows.toLocaleString("en-US")} rows${node.actual && node.actual.loops > 1 ? ` over ${node.actual.loops} scans` : ""}${kept}.${condition ? ` Condition: ${condition}.` : " The plan shows no condition on it: the statement asks for every row."}`,
        evidence: {
          table: node.relationName,
          accessType: String(access),
          rowsExamined: rows,
          filteredPercent: filtered,
          timeMs,
        },
        ...(columns.length > 0
          ? {
              fix: {
                sql: addIndexSql(table.name, columns),
                note: `An index on (${columns.join(", ")}) lets ${table.name} be read by its condition instead of whole; built online (INPLACE, no lock) on InnoDB.${table.caveat}`,
                dialect: "mysql" as const,
              },
            }
          : {
              fix: {
                note:
                  access === "index"
                    ? "The whole index is read, usually for ORDER BY or a covering read without a condition: add a condition or a LIMIT the index can stop at."
                    : "Add a condition an index can serve, or a LIMIT; reading every row of a large table on each execution does not scale.",
              },
            }),
        docsUrl: this.docsUrl,
        impact: timeMs ?? unrunCostShare(facts, node),
        ...(timeMs !== null ? { timeMs } : {}),
      });
    }
    return findings;
  },
};
