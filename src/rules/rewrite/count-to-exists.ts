/**
 * `(SELECT count(*) FROM ... WHERE ...) > 0` → `EXISTS (SELECT 1 FROM ... WHERE ...)`, and `= 0` → NOT EXISTS.
 * count(*) reads every matching row; EXISTS stops at the first. count(*) is never NULL and a subquery without
 * GROUP BY returns exactly one row, so the two agree everywhere (not only in WHERE): `> 0`, `>= 1`, `<> 0` and
 * `0 <` mean "some row"; `= 0`, `< 1` and `<= 0` mean "no row".
 */
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import {
  at,
  binaryOp,
  callsVolatile,
  constant,
  deparseStatement,
  isPlainSelect,
  items,
  type Node,
  replaceWhere,
} from "./rewrite-tree-shape.js";

const SOME: Record<string, bigint> = { ">": 0n, ">=": 1n, "<>": 0n };
const NONE: Record<string, bigint> = { "=": 0n, "<": 1n, "<=": 0n };
const FLIP: Record<string, string> = { ">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "=", "<>": "<>" };

export const countToExists: RewriteRule = {
  id: "rewrite/count-to-exists",
  title: "count(*) > 0 as EXISTS",
  description:
    "A subquery's count(*) compared with 0 reads every matching row; EXISTS stops at the first one.",
  docsUrl: "https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-EXISTS",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree) as unknown as Node;
    const replaced = replaceWhere(tree, (node) => {
      const op = binaryOp(node);
      if (!op) return undefined;
      // (subquery) op constant, or constant op (subquery) read the other way round.
      const [link, value, operator] = at(op.left, "SubLink")
        ? [at(op.left, "SubLink"), constant(op.right), op.op]
        : [at(op.right, "SubLink"), constant(op.left), FLIP[op.op]];
      if (link?.subLinkType !== "EXPR_SUBLINK" || value?.kind !== "int" || !operator) return undefined;
      const some = SOME[operator] === value.value;
      const none = NONE[operator] === value.value;
      if (!some && !none) return undefined;
      const inner = at(link, "subselect", "SelectStmt");
      // count(*) calls a volatile function for every row, EXISTS until the first match: not the same calls.
      if (!countStar(inner) || callsVolatile(inner, input.schema)) return undefined;
      const body = structuredClone(inner) as Node;
      body.targetList = [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }];
      const exists = { SubLink: { subLinkType: "EXISTS_SUBLINK", subselect: { SelectStmt: body } } };
      return none ? { BoolExpr: { boolop: "NOT_EXPR", args: [exists] } } : exists;
    });
    if (replaced === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: "(SELECT count(*) …) > 0 → EXISTS",
        why: "EXISTS stops at the first matching row (and can be planned as a semi-join); count(*) reads and counts every one.",
        assumptions: ["a subquery with count(*) and no GROUP BY returns exactly one row, never NULL"],
      },
    ];
  },
};

/** A plain `SELECT count(*) FROM ... [WHERE ...]`: one row, its count (no GROUP BY, HAVING, LIMIT, DISTINCT). */
function countStar(select: Node | undefined): boolean {
  if (!isPlainSelect(select) || select.withClause) return false;
  if (select.groupClause || select.havingClause || select.windowClause || select.distinctClause) return false;
  if (select.limitCount || select.limitOffset || items(select, "fromClause").length === 0) return false;
  const targets = items(select, "targetList");
  const call = at(targets[0], "ResTarget", "val", "FuncCall");
  const name = at(items(call, "funcname").at(-1), "String")?.sval;
  return (
    targets.length === 1 &&
    name === "count" &&
    call?.agg_star === true &&
    !call.agg_filter &&
    !call.over &&
    !call.agg_distinct
  );
}
