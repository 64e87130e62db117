/**
 * A MySQL/MariaDB sort the server does itself (filesort) or rows gathered in a temporary table (GROUP BY,
 * DISTINCT, UNION, ORDER BY over a join), over enough rows to matter. An index in the ORDER BY / GROUP BY order
 * (after the columns compared with =) returns rows already in order and lets a LIMIT stop early.
 */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { Finding } from "../../findings/finding.js";
import type { Rule } from "../rule.js";
import { MYSQL_DIALECTS, MYSQL_EXPLAIN_DOCS, rowsExamined, unrunCostShare } from "./mysql-plan-facts.js";
import type { PlanFacts } from "./plan-facts.js";
import { subtree } from "./plan-facts.js";

export const mysqlFilesortTemporary: Rule<PlanFacts, { minRows: number }> = {
  id: "plan/mysql-filesort-temporary",
  family: "plan",
  title: "Filesort or temporary table (MySQL/MariaDB)",
  description:
    "Rows sorted by the server (Using filesort) or collected in a temporary table (Using temporary) before the first is returned: memory, or disk when they outgrow tmp_table_size / sort_buffer_size.",
  maxSeverity: "warning",
  docsUrl: MYSQL_EXPLAIN_DOCS,
  dialects: MYSQL_DIALECTS,
  options: {
    minRows: { default: 1_000, description: "rows fed to the sort or temporary table before it is reported" },
  },
  check(facts, options) {
    const findings: Finding[] = [];
    for (const node of facts.analyzed.nodes) {
      const filesort = node.props[MYSQL_PROP.filesort] === true;
      const temporary = node.props[MYSQL_PROP.temporary] === true;
      if (!filesort && !temporary) continue;
      // A wrapper inside another flagged wrapper (MariaDB's temporary_table under filesort) is one finding.
      const parent = facts.analyzed.parents[node.id];
      if (
        parent &&
        (parent.props[MYSQL_PROP.filesort] === true || parent.props[MYSQL_PROP.temporary] === true)
      )
        continue;
      const below = subtree(node).filter((n) => n.props[MYSQL_PROP.temporary] === true);
      const usesTemporary = temporary || below.length > 0;
      const rows = inputRows(node);
      if (rows < options.minRows) continue;
      const sortKey = node.props[MYSQL_PROP.sortKey];
      const what = [filesort ? "filesort" : null, usesTemporary ? "temporary table" : null]
        .filter(Boolean)
        .join(" and ");
      const timeMs = node.actual?.totalMs != null ? node.actual.totalMs * node.actual.loops : null;
      findings.push({
        ruleId: this.id,
        severity: rows >= 100 * options.minRows ? "warning" : "info",
        title: `${what} over ${rows.toLocaleString("en-US")} rows`,
        detail: `The server ${filesort ? `sorts ${rows.toLocaleString("en-US")} rows itself${typeof sortKey === "string" ? ` by ${sortKey}` : ""}` : `collects ${rows.toLocaleString("en-US")} rows`}${filesort && usesTemporary ? " after collecting them in a temporary table" : usesTemporary && !filesort ? " in a temporary table" : ""} before returning the first.`,
        evidence: {
          rows,
          filesort,
          temporaryTable: usesTemporary,
          sortKey: typeof sortKey === "string" ? sortKey : null,
          timeMs,
        },
        fix: {
          note: "Give the table an index whose columns are those compared with = in the WHERE clause, then the ORDER BY (or GROUP BY) columns in their order: rows then come out of the index in order, with no sort or temporary table, and a LIMIT stops early. A GROUP BY on an expression or on columns of several tables cannot be served that way.",
        },
        docsUrl: this.docsUrl,
        impact: timeMs ?? unrunCostShare(facts, node),
        ...(timeMs !== null ? { timeMs } : {}),
      });
    }
    return findings;
  },
};

/** Rows into the sort: the tables under a wrapper, or the flagged table itself in a tabular EXPLAIN. */
function inputRows(node: PlanNode): number {
  if (typeof node.props[MYSQL_PROP.accessType] === "string") return rowsExamined(node);
  let most = 0;
  for (const n of subtree(node))
    if (typeof n.props[MYSQL_PROP.accessType] === "string") most = Math.max(most, rowsExamined(n));
  return most;
}
