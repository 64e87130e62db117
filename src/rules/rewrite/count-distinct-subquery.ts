/**
 * `count(DISTINCT x)` is computed by sorting each group's values inside the aggregate: PostgreSQL cannot hash it.
 * Removing the duplicates first in a subquery lets the planner hash them (or use an index), and the outer count
 * then counts the distinct values: `SELECT g, count(DISTINCT x) FROM t GROUP BY g` is
 * `SELECT d.g, count(d.x) FROM (SELECT DISTINCT g, x FROM t) d GROUP BY d.g`. Equal because count(DISTINCT x)
 * counts the distinct non-NULL values, and count(x) over the distinct (g, x) pairs counts the same (a group whose
 * values are all NULL keeps one row, counted 0). Only when that is the select list's one aggregate: any other
 * would see the deduplicated rows.
 */
import type { RewriteRule } from "./rewrite-rule.js";
import {
  at,
  callsVolatile,
  columnRef,
  deparseNode,
  deparseStatement,
  freshName,
  hasSubLink,
  isPlainSelect,
  items,
  makeColumnRef,
  type Node,
  topSelect,
  walk,
} from "./rewrite-tree-shape.js";

export const countDistinctSubquery: RewriteRule = {
  id: "rewrite/count-distinct-subquery",
  title: "count(DISTINCT …) sorted inside the aggregate",
  description:
    "A select list whose one aggregate is count(DISTINCT x) counts over a DISTINCT subquery instead, which the planner can hash, rather than sorting every group's values inside the aggregate.",
  docsUrl: "https://www.postgresql.org/docs/current/sql-expressions.html#SYNTAX-AGGREGATES",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const select = topSelect(tree);
    if (!isPlainSelect(select) || select.withClause || select.havingClause || select.windowClause) return [];
    if (select.distinctClause || items(select, "fromClause").length === 0) return [];
    const groups = items(select, "groupClause");
    if (groups.some((g) => "GroupingSet" in g || constantPosition(g) !== undefined)) return [];
    const groupTexts = groups.map(deparseNode);
    const targets = items(select, "targetList");
    if (hasSubLink(targets) || callsVolatile(targets, input.schema) || callsVolatile(groups, input.schema))
      return [];
    let counted: Node | undefined;
    const taken = new Set<string>();
    walk(tree, (node) => {
      const alias = at(node, "alias")?.aliasname;
      if (typeof alias === "string") taken.add(alias);
      return true;
    });
    const inner = freshName(taken, "d");
    const outerTargets: Node[] = [];
    for (const target of targets) {
      const res = at(target, "ResTarget") as Node;
      const val = at(res, "val") as Node;
      const call = at(val, "FuncCall");
      if (call && isCountDistinct(call)) {
        if (counted) return [];
        counted = items(call, "args")[0];
        outerTargets.push(
          resTarget(countOf(makeColumnRef([inner, "v"])), (res.name as string | undefined) ?? "count"),
        );
        continue;
      }
      const index = groupTexts.indexOf(deparseNode(val));
      const name = (res.name as string | undefined) ?? outputName(val);
      if (index < 0 || !name) return [];
      outerTargets.push(resTarget(makeColumnRef([inner, `g${index + 1}`]), name));
    }
    if (!counted || hasAggregate(counted)) return [];
    const sorts = items(select, "sortClause");
    const outputNames = new Set(outerTargets.map((t) => at(t, "ResTarget")?.name as string));
    if (!sorts.every((s) => sortsByOutput(s, outputNames, outerTargets.length))) return [];
    const derived: Node = {
      SelectStmt: {
        distinctClause: [{}],
        targetList: [...groups.map((g, i) => resTarget(g, `g${i + 1}`)), resTarget(counted, "v")],
        fromClause: select.fromClause,
        whereClause: select.whereClause,
        limitOption: "LIMIT_OPTION_DEFAULT",
        op: "SETOP_NONE",
      },
    };
    select.targetList = outerTargets;
    select.fromClause = [{ RangeSubselect: { subquery: derived, alias: { aliasname: inner } } }];
    delete select.whereClause;
    if (groups.length > 0) select.groupClause = groups.map((_, i) => makeColumnRef([inner, `g${i + 1}`]));
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: `count(DISTINCT ${deparseNode(counted)}) → count over SELECT DISTINCT`,
        why: "count(DISTINCT …) sorts each group's values inside the aggregate; a DISTINCT subquery can be hashed in one pass (or read from an index), and the outer count only counts what is left.",
        assumptions: [
          "count(DISTINCT x) counts the distinct non-NULL values, as count(x) over the distinct rows does",
          "it is the select list's only aggregate",
        ],
      },
    ];
  },
};

function isCountDistinct(call: Node): boolean {
  const names = items(call, "funcname").map((n) => String(at(n, "String")?.sval ?? "").toLowerCase());
  return (
    names.at(-1) === "count" &&
    (names.length === 1 || names[0] === "pg_catalog") &&
    call.agg_distinct === true &&
    items(call, "args").length === 1 &&
    !call.agg_filter &&
    !call.agg_order &&
    !call.over &&
    call.agg_within_group !== true
  );
}

function countOf(arg: Node): Node {
  return {
    FuncCall: { funcname: [{ String: { sval: "count" } }], args: [arg], funcformat: "COERCE_EXPLICIT_CALL" },
  };
}

function resTarget(val: Node, name: string): Node {
  return { ResTarget: { name, val } };
}

/** The name PostgreSQL gives an unnamed output column: a column's or a function's name. */
function outputName(val: Node): string | undefined {
  const fields = columnRef(val);
  if (fields) return fields.at(-1) === "*" ? undefined : fields.at(-1);
  const name = at(items(at(val, "FuncCall"), "funcname").at(-1), "String")?.sval;
  return typeof name === "string" ? name : undefined;
}

function constantPosition(node: Node): number | undefined {
  const value = at(node, "A_Const", "ival");
  return value ? Number(value.ival ?? 0) : undefined;
}

/** ORDER BY an output column's name or position: both mean the same column after the rewrite. */
function sortsByOutput(sort: Node, names: Set<string>, width: number): boolean {
  const node = at(sort, "SortBy", "node");
  const position = constantPosition(node as Node);
  if (position !== undefined) return position >= 1 && position <= width;
  const fields = columnRef(node);
  return fields?.length === 1 && names.has(fields[0] as string);
}

function hasAggregate(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    const call = at(n, "FuncCall");
    if (call && (call.agg_distinct || call.agg_star || call.over)) found = true;
    return !found;
  });
  return found;
}
