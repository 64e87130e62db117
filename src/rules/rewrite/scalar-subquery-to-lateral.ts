/**
 * A correlated scalar subquery in the select list runs once per outer row (PostgreSQL does not turn it into a
 * join). Two shapes can be joined instead, keeping the NULL when nothing matches:
 * - an aggregate over the rows matching the outer row, `(SELECT max(b.x) FROM b WHERE b.k = a.k)`: a LEFT JOIN to
 *   `(SELECT b.k, max(b.x) FROM b GROUP BY b.k)` on the key, so b is read once and grouped; count gives 0, not NULL,
 *   on no rows, so it is wrapped in coalesce(…, 0);
 * - a lookup on a unique key of b, `(SELECT b.name FROM b WHERE b.id = a.b_id)`: at most one row matches, so a
 *   LEFT JOIN returns the same value (a scalar subquery that could return two rows would raise an error instead:
 *   without a unique key, or an aggregate, the rule declines).
 * The joined subquery is an ordinary derived table (not LATERAL): uncorrelated, it can be hashed or merged.
 */
import type { RewriteRule, RewriteSchema, RewriteTable } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  binaryOp,
  callsSetReturning,
  callsVolatile,
  callTraits,
  columnRef,
  columnRefsUnder,
  deparseStatement,
  freshName,
  fromRefs,
  fromTables,
  hasSubLink,
  isPlainSelect,
  items,
  makeBinaryOp,
  makeColumnRef,
  type Node,
  replaceWhere,
  tableLabel,
  topSelect,
  walk,
} from "./rewrite-tree-shape.js";

/** Aggregates whose value over no rows is NULL (count's is 0, handled apart). */
const NULL_ON_EMPTY = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "bool_and",
  "bool_or",
  "every",
  "array_agg",
  "string_agg",
]);

export const scalarSubqueryToLateral: RewriteRule = {
  id: "rewrite/scalar-subquery-to-lateral",
  title: "Correlated scalar subquery in the select list",
  description:
    "A select-list subquery that aggregates or looks up by a unique key the rows matching each outer row becomes a LEFT JOIN to one grouped (or keyed) derived table, so the inner table is read once instead of once per row.",
  docsUrl: "https://www.postgresql.org/docs/current/queries-table-expressions.html#QUERIES-JOIN",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const select = topSelect(tree);
    if (!isPlainSelect(select) || select.groupClause || select.havingClause || select.windowClause) return [];
    if (ownLevelAggregates(items(select, "targetList"), input.schema)) return [];
    const from = items(select, "fromClause");
    if (from.length !== 1) return [];
    const outerRefs = new Set(fromRefs(from));
    const taken = new Set<string>();
    walk(tree, (node) => {
      const alias = at(node, "alias")?.aliasname;
      if (typeof alias === "string") taken.add(alias);
      const rel = at(node, "RangeVar")?.relname;
      if (typeof rel === "string") taken.add(rel);
      return true;
    });
    // An unnamed subquery column is named for the subquery's own column ("max"); the join's would be "value".
    for (const target of items(select, "targetList")) {
      const res = at(target, "ResTarget");
      const link = at(res, "val", "SubLink");
      const name =
        link?.subLinkType === "EXPR_SUBLINK" ? columnName(at(link, "subselect", "SelectStmt")) : undefined;
      if (res && res.name === undefined && name) res.name = name;
    }
    let joined: Node = from[0] as Node;
    const summaries: string[] = [];
    const assumptions: string[] = [];
    replaceWhere({ list: select.targetList }, (node) => {
      const link = at(node, "SubLink");
      if (!link) return undefined;
      if (link.subLinkType !== "EXPR_SUBLINK") return node;
      const plan = decorrelate(at(link, "subselect", "SelectStmt"), outerRefs, input.schema);
      if (!plan) return node;
      const alias = freshName(taken, "sq");
      taken.add(alias);
      joined = {
        JoinExpr: {
          jointype: "JOIN_LEFT",
          larg: joined,
          rarg: { RangeSubselect: { subquery: { SelectStmt: plan.derived }, alias: { aliasname: alias } } },
          quals: andOf(
            plan.keys.map((outer, i) => makeBinaryOp("=", makeColumnRef([alias, `k${i + 1}`]), outer)),
          ),
        },
      };
      summaries.push(
        `(SELECT … FROM ${tableLabel(plan.table)} WHERE …) → LEFT JOIN (${plan.kind}) AS ${alias}`,
      );
      assumptions.push(plan.assumption);
      const value = makeColumnRef([alias, "value"]);
      return plan.count ? { CoalesceExpr: { args: [value, { A_Const: { ival: {} } }] } } : value;
    });
    if (summaries.length === 0) return [];
    select.fromClause = [joined];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: summaries.join("; "),
        why: "The subquery runs once for every outer row; joined, the inner table is read once (grouped, or by its key) and matched by a hash or merge join.",
        assumptions: [...assumptions, "no match leaves NULL (count: 0), as the subquery returned"],
      },
    ];
  },
};

interface Decorrelated {
  derived: Node;
  /** The outer column each key k1, k2, … of the derived table equals. */
  keys: Node[];
  table: RewriteTable;
  kind: "grouped" | "unique key";
  count: boolean;
  assumption: string;
}

function decorrelate(
  inner: Node | undefined,
  outerRefs: Set<string>,
  schema: RewriteSchema,
): Decorrelated | null {
  if (!isPlainSelect(inner)) return null;
  for (const clause of [
    "groupClause",
    "havingClause",
    "sortClause",
    "limitCount",
    "limitOffset",
    "distinctClause",
  ])
    if (inner[clause] !== undefined) return null;
  if (inner.windowClause || inner.withClause) return null;
  const innerFrom = items(inner, "fromClause");
  const tables = fromTables(innerFrom);
  // One table and nothing else (`b JOIN unnest(b.tags) ON true` would repeat b's rows, and bind other names).
  if (innerFrom.length !== 1 || tables.length !== 1 || fromRefs(innerFrom).length !== 1) return null;
  const b = tables[0] as (typeof tables)[number];
  if (outerRefs.has(b.ref)) return null;
  const table = schema.table(b.relname, b.schemaname);
  const targets = items(inner, "targetList");
  if (!table || targets.length !== 1) return null;
  const value = at(targets[0], "ResTarget", "val") as Node;
  // A set-returning value (unnest(b.tags)) makes the subquery fail on two rows, where a join would repeat the row.
  if (hasSubLink(value) || callsVolatile(inner, schema) || callsSetReturning(value, schema)) return null;
  const side = (fields: string[]): "inner" | "outer" | null => {
    if (fields.length === 2 && fields[0] === b.ref)
      return table.columns.some((c) => c.name === fields[1]) ? "inner" : null;
    if (fields.length === 2 && outerRefs.has(fields[0] as string)) return "outer";
    if (fields.length === 1 && table.columns.some((c) => c.name === fields[0])) return "inner";
    return null;
  };
  const innerKeys: Node[] = [];
  const outerKeys: Node[] = [];
  const filters: Node[] = [];
  for (const term of andTerms(at(inner, "whereClause"))) {
    if (hasSubLink(term)) return null;
    const sides = columnRefsUnder(term).map(side);
    if (sides.includes(null)) return null;
    if (!sides.includes("outer")) {
      filters.push(term);
      continue;
    }
    const cmp = binaryOp(term);
    const left = cmp ? columnRef(cmp.left) : null;
    const right = cmp ? columnRef(cmp.right) : null;
    if (cmp?.op !== "=" || !left || !right) return null;
    if (side(left) === "inner" && side(right) === "outer") {
      innerKeys.push(cmp.left);
      outerKeys.push(cmp.right);
    } else if (side(left) === "outer" && side(right) === "inner") {
      innerKeys.push(cmp.right);
      outerKeys.push(cmp.left);
    } else return null;
  }
  if (innerKeys.length === 0 || columnRefsUnder(value).some((f) => side(f) !== "inner")) return null;
  const call = at(value, "FuncCall");
  const name = String(at(items(call, "funcname").at(-1), "String")?.sval ?? "").toLowerCase();
  const aggregate =
    call &&
    !call.over &&
    (name === "count" || NULL_ON_EMPTY.has(name)) &&
    items(call, "funcname").length === 1;
  const keyTargets = innerKeys.map((k, i) => ({ ResTarget: { name: `k${i + 1}`, val: k } }));
  const derived: Node = {
    targetList: [...keyTargets, { ResTarget: { name: "value", val: value } }],
    fromClause: innerFrom,
    whereClause: andOf(filters),
    limitOption: "LIMIT_OPTION_DEFAULT",
    op: "SETOP_NONE",
  };
  const keyNames = innerKeys.map((k) => columnRef(k)?.at(-1) as string);
  if (aggregate) {
    derived.groupClause = innerKeys.map((k) => structuredClone(k));
    return {
      derived,
      keys: outerKeys,
      table,
      kind: "grouped",
      count: name === "count",
      assumption: `${name}(…) over no rows is ${name === "count" ? "0" : "NULL"}; ${tableLabel(table)} grouped by (${keyNames.join(", ")})`,
    };
  }
  if (ownLevelAggregates([value], schema) || !schema.isUnique(table, keyNames)) return null;
  return {
    derived,
    keys: outerKeys,
    table,
    kind: "unique key",
    count: false,
    assumption: `${tableLabel(table)} (${keyNames.join(", ")}) is unique: at most one row matches each outer row`,
  };
}

const AGGREGATE_NAMES = new Set([
  "count",
  ...NULL_ON_EMPTY,
  "json_agg",
  "jsonb_agg",
  "json_object_agg",
  "jsonb_object_agg",
]);

/**
 * Whether an aggregate or window function is computed at this level (not inside a subquery): by name, or by what
 * pg_proc says of the call (a user's aggregate; a function the schema does not know counts as one).
 */
function ownLevelAggregates(roots: Node[], schema: RewriteSchema): boolean {
  let found = false;
  walk(roots, (node) => {
    if ("SubLink" in node) return false;
    const call = at(node, "FuncCall");
    if (call) {
      const name = String(at(items(call, "funcname").at(-1), "String")?.sval ?? "").toLowerCase();
      if (
        call.over ||
        call.agg_star === true ||
        AGGREGATE_NAMES.has(name) ||
        callTraits(schema, call).aggregate
      )
        found = true;
    }
    return !found;
  });
  return found;
}

/** The name PostgreSQL gives a subquery's one output column (its alias, function or column name). */
function columnName(inner: Node | undefined): string | undefined {
  const target = at(items(inner, "targetList")[0], "ResTarget");
  if (typeof target?.name === "string") return target.name;
  const val = at(target, "val");
  const fields = columnRef(val);
  if (fields && fields.at(-1) !== "*") return fields.at(-1);
  const call = at(val, "FuncCall");
  const name = at(items(call, "funcname").at(-1), "String")?.sval;
  return typeof name === "string" ? name : undefined;
}
