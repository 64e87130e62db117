/**
 * `WHERE c AND (a = x OR b = y)` with a and b different indexed columns (often of different tables of a join) →
 * `SELECT … WHERE c AND a = x UNION ALL SELECT … WHERE c AND b = y AND (a = x) IS NOT TRUE`. An OR across tables
 * leaves the planner no index to start from: it joins everything and filters. Each branch of the UNION ALL starts
 * at its own index; the IS NOT TRUE drops from later branches the rows an earlier one returned, so every row comes
 * once, as often as the original returns it (duplicates of the join included), with no de-duplication.
 * Only for SELECTs without ORDER BY, LIMIT, DISTINCT, grouping, aggregates or window functions, whose OR branches
 * each compare one column that an index starts with, no two the same column, and nothing volatile.
 */
import { aggregatesOrWindows, leadingIndex } from "./rewrite-query-shape.js";
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  callsVolatile,
  columnRefsUnder,
  deparseStatement,
  hasSubLink,
  isPlainSelect,
  items,
  type Node,
  type ResolvedColumn,
  resolveColumn,
  tableLabel,
  topSelect,
} from "./rewrite-tree-shape.js";

export const orToUnionAll: RewriteRule = {
  id: "rewrite/or-to-union-all",
  title: "OR across columns as UNION ALL",
  description:
    "An OR over different columns (of different tables, above all) leaves no index to start from; UNION ALL branches each use their own index, later branches excluding the earlier ones' rows.",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-bitmap-scans.html",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const select = topSelect(tree);
    if (!isPlainSelect(select) || select.withClause || select.sortClause) return [];
    if (select.limitCount || select.limitOffset || select.distinctClause || select.groupClause) return [];
    if (select.havingClause || select.windowClause || aggregatesOrWindows(select.targetList, input.schema))
      return [];
    if (callsVolatile(select, input.schema)) return [];
    const from = items(select, "fromClause");
    const terms = andTerms(at(select, "whereClause"));
    const at_ = terms.findIndex((t) => at(t, "BoolExpr")?.boolop === "OR_EXPR");
    if (at_ < 0) return [];
    const branches = items(terms[at_], "BoolExpr", "args");
    const columns: ResolvedColumn[] = [];
    for (const branch of branches) {
      if (hasSubLink(branch)) return [];
      const refs = columnRefsUnder(branch);
      const resolved = refs.map((r) => resolveColumn(input.schema, from, r));
      const first = resolved[0];
      if (!first || resolved.some((r) => !r || r.ref !== first.ref || r.column.name !== first.column.name))
        return [];
      if (!leadingIndex(first.table, first.column.name)) return [];
      if (columns.some((c) => c.ref === first.ref && c.column.name === first.column.name)) return [];
      columns.push(first);
    }
    const others = terms.filter((_, i) => i !== at_);
    const arms = branches.map((branch, i) => {
      const arm = structuredClone(select) as Node;
      const excluded = branches
        .slice(0, i)
        .map((earlier) => ({ BooleanTest: { arg: structuredClone(earlier), booltesttype: "IS_NOT_TRUE" } }));
      arm.whereClause = andOf([...structuredClone(others), structuredClone(branch), ...excluded]);
      return arm;
    });
    let union: Node = arms[0] as Node;
    for (const arm of arms.slice(1))
      union = { op: "SETOP_UNION", all: true, larg: union, rarg: arm, limitOption: "LIMIT_OPTION_DEFAULT" };
    (tree.stmts[0] as { stmt: Node }).stmt = { SelectStmt: union };
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: `OR across ${columns.map((c) => c.column.name).join(", ")} → UNION ALL of ${arms.length} branches`,
        why: "Each branch can start at the index on its own column; the OR made the planner read (and join) every row and filter. Later branches exclude earlier branches' rows with IS NOT TRUE, so no row is returned twice and none is lost.",
        assumptions: columns.map(
          (c) =>
            `${tableLabel(c.table)}.${c.column.name} has the index ${leadingIndex(c.table, c.column.name)}`,
        ),
      },
    ];
  },
};
