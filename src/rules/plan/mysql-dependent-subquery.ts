/**
 * A MySQL/MariaDB dependent (correlated) subquery: it is run again for each row of the outer query, so its
 * cost is multiplied by the outer rows. Rewritten as a join or a derived table grouped once, or at least given
 * an index on the column it is correlated by, it stops multiplying a scan.
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
  realTable,
  rowsExamined,
  unrunCostShare,
} from "./mysql-plan-facts.js";
import type { PlanFacts } from "./plan-facts.js";
import { subtree } from "./plan-facts.js";

export const mysqlDependentSubquery: Rule<PlanFacts, { minExecutions: number }> = {
  id: "plan/mysql-dependent-subquery",
  family: "plan",
  title: "Dependent subquery run once per row (MySQL/MariaDB)",
  description:
    "A correlated subquery (DEPENDENT SUBQUERY) is executed again for every row of the outer query; a scan inside it is repeated as many times.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: {
    minExecutions: {
      default: 100,
      description: "executions (or outer rows, estimated) before it is reported",
    },
  },
  check(facts, options) {
    const findings: Finding[] = [];
    const nodes = facts.analyzed.nodes;
    for (const node of nodes) {
      if (node.props[MYSQL_PROP.dependent] !== true) continue;
      const tables = subtree(node).filter((n) => typeof n.props[MYSQL_PROP.accessType] === "string");
      const first = tables[0];
      if (!first) continue;
      // Measured executions when ANALYZE ran; otherwise the rows of the outer tables estimated.
      const outer = nodes.filter(
        (n) => typeof n.props[MYSQL_PROP.accessType] === "string" && !tables.includes(n) && n.id < node.id,
      );
      const executions = first.actual
        ? first.actual.loops
        : outer.reduce((p, n) => p * Math.max(1, n.planRows ?? 1), outer.length ? 1 : 0);
      if (executions < options.minExecutions) continue;
      const examined = tables.reduce((sum, t) => sum + rowsExamined(t), 0);
      const perExecution = first.actual ? examined / Math.max(1, first.actual.loops) : examined;
      const scanned = tables.find(
        (t) => t.props[MYSQL_PROP.accessType] === "ALL" || t.props[MYSQL_PROP.accessType] === "index",
      );
      const condition = scanned?.relationName ? conditionOf(facts, scanned) : null;
      const columns =
        scanned?.relationName && condition
          ? conditionColumns(condition, scanned.relationName).slice(0, 1)
          : [];
      const table = scanned?.relationName ? realTable(facts, scanned.relationName) : null;
      const timeMs =
        tables.reduce(
          (sum, t) => sum + (t.actual?.totalMs != null ? t.actual.totalMs * t.actual.loops : 0),
          0,
        ) || null;
      const name = node.subplanName ?? "a dependent subquery";
      findings.push({
        ruleId: this.id,
        severity: scanned ? "warning" : "info",
        title: `${name} runs ${executions.toLocaleString("en-US")} times, once per outer row${first.actual ? "" : " (estimated)"}`,
        detail: `${name} depends on the outer row, so it runs for each: ${executions.toLocaleString("en-US")} executions examining about ${Math.round(perExecution).toLocaleString("en-US")} rows each${scanned ? `, with a ${scanned.props[MYSQL_PROP.accessType] === "ALL" ? "full table" : "full index"} scan of ${scanned.relationName} every time` : ""}.`,
        evidence: {
          executions,
          measured: Boolean(first.actual),
          rowsPerExecution: Math.round(perExecution),
          rowsExamined: first.actual ? examined : Math.round(examined * executions),
          timeMs,
        },
        fix:
          table && columns.length > 0
            ? {
                sql: addIndexSql(table.name, columns),
                note: `An index on ${table.name} (${columns.join(", ")}), the column the subquery is correlated by, turns each execution's scan into a lookup. Better still, rewrite the subquery as a JOIN (or a derived table grouped once) so it runs once.${table.caveat}`,
                dialect: "mysql" as const,
              }
            : {
                note: "Rewrite the subquery as a JOIN, or as a derived table grouped once and joined, so it runs once instead of once per row.",
              },
        docsUrl: this.docsUrl,
        impact: timeMs ?? unrunCostShare(facts, node),
        ...(timeMs !== null ? { timeMs } : {}),
      });
    }
    return findings;
  },
};
