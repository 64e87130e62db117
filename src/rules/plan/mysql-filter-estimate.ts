/**
 * A MySQL/MariaDB estimate far from what ANALYZE measured: the rows a table passes on (rows × filtered%) against
 * the measured r_rows × r_filtered%. The optimizer orders joins and picks access paths from that estimate; a
 * condition on a column without statistics is guessed. Column statistics (MariaDB's engine-independent
 * statistics, MySQL 8's histograms) on the compared columns give it the real selectivity.
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { NodeMetrics } from "../../facts/plan/plan-metrics.js";
import type { Finding } from "../../findings/finding.js";
import { list, mysqlIdent, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import {
  conditionColumns,
  conditionOf,
  MYSQL_DIALECTS,
  MYSQL_EXPLAIN_DOCS,
  numberProp,
  realTable,
  tableNodes,
} from "./mysql-plan-facts.js";
import { nodeImpact, type PlanFacts } from "./plan-facts.js";

export const mysqlFilterEstimate: Rule<PlanFacts, { minFactor: number; minRows: number }> = {
  id: "plan/mysql-filter-estimate",
  family: "plan",
  title: "Rows estimate far from the measured rows (MySQL/MariaDB)",
  description:
    "The rows a table passes on after its condition, estimated (rows × filtered) against measured by ANALYZE (r_rows × r_filtered), differ by a large factor: join order and access paths were chosen on a wrong number.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: {
    minFactor: { default: 10, description: "how many times off the estimate must be" },
    minRows: { default: 1_000, description: "rows on the larger side before a misestimate matters" },
  },
  check(facts, options) {
    const findings: Finding[] = [];
    for (const node of tableNodes(facts)) {
      if (!node.actual || node.planRows === null || !node.relationName) continue;
      const filtered = numberProp(node, MYSQL_PROP.filtered) ?? 100;
      const actualFiltered = numberProp(node, MYSQL_PROP.actualFiltered) ?? 100;
      const estimated = (node.planRows * filtered) / 100;
      const measured = (node.actual.rows * actualFiltered) / 100;
      const factor = Math.max(estimated, measured, 1) / Math.max(Math.min(estimated, measured), 1);
      if (factor < options.minFactor || Math.max(estimated, measured) < options.minRows) continue;
      const condition = conditionOf(facts, node);
      const columns = condition ? conditionColumns(condition, node.relationName) : [];
      const table = realTable(facts, node.relationName);
      const names = list(columns.map(mysqlIdent));
      const mysql8 = facts.analyzed.plan.dialect === "mysql";
      const round = (n: number) => Math.round(n).toLocaleString("en-US");
      findings.push({
        ruleId: this.id,
        severity: "warning",
        title: `${node.relationName}: ${round(estimated)} rows estimated to pass, ${round(measured)} measured (${Math.round(factor)}x ${measured > estimated ? "under" : "over"})`,
        detail: `${node.relationName} was estimated to pass on ${round(estimated)} rows per scan (${round(node.planRows)} rows × ${filtered}%), and passed ${round(measured)} (${round(node.actual.rows)} × ${actualFiltered}%).${condition ? ` Condition: ${condition}.` : ""}`,
        evidence: {
          table: node.relationName,
          estimatedRows: node.planRows,
          filteredPercent: filtered,
          actualRows: node.actual.rows,
          actualFilteredPercent: actualFiltered,
          factor: Math.round(factor * 10) / 10,
        },
        fix:
          columns.length > 0
            ? {
                sql: mysql8
                  ? sql`ANALYZE TABLE ${mysqlIdent(table.name)} UPDATE HISTOGRAM ON ${names} WITH 100 BUCKETS`
                  : sql`ANALYZE TABLE ${mysqlIdent(table.name)} PERSISTENT FOR COLUMNS (${names}) INDEXES ()`,
                note: `${mysql8 ? "A histogram" : "Engine-independent column statistics"} on (${columns.join(", ")}) give the optimizer the condition's real selectivity${mysql8 ? "" : " (used when optimizer_use_condition_selectivity is 4 or more, the default from 10.4)"}; ANALYZE TABLE reads the table once.${table.caveat}`,
                dialect: "mysql" as const,
              }
            : {
                note: "Collect column statistics (MariaDB: ANALYZE TABLE ... PERSISTENT FOR ALL; MySQL 8: histograms) on the columns of the condition.",
              },
        docsUrl: this.docsUrl,
        // The plan's unit (ms of the run, or a cost share), not the factor: ranking and timeMs read it as one.
        impact: nodeImpact(facts.analyzed.metrics[node.id] as NodeMetrics),
      });
    }
    return findings;
  },
};
