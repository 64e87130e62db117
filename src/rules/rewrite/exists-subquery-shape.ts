/**
 * `x [NOT] IN (SELECT y FROM ...)` as `[NOT] EXISTS (SELECT 1 FROM ... WHERE y = x)`: the shared half of
 * not-in-to-not-exists and in-distinct-to-exists. It reads a WHERE term, checks the subquery is a plain one-column
 * SELECT over known tables, and builds the EXISTS with both columns qualified (so the outer column cannot be
 * captured by a table of the subquery with a column of the same name).
 */
import { nullableRefs } from "./rewrite-query-shape.js";
import type { RewriteSchema } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  callsVolatile,
  columnRef,
  fromRefs,
  isPlainSelect,
  items,
  makeBinaryOp,
  makeColumnRef,
  type Node,
  type ResolvedColumn,
  resolveColumn,
  tableLabel,
} from "./rewrite-tree-shape.js";

export interface InSubquery {
  /** The subquery's SELECT body (a copy: the caller's tree is not touched). */
  inner: Node;
  outer: ResolvedColumn & { nullable: boolean };
  innerColumn: ResolvedColumn & { nullable: boolean };
  /** DISTINCT (plain, not DISTINCT ON) in the subquery. */
  distinct: boolean;
}

/** A WHERE term `col IN (SELECT col2 FROM ...)` (under NOT when `negated`) of a SELECT with this FROM, or undefined. */
export function inSubquery(
  term: Node,
  negated: boolean,
  from: Node[],
  schema: RewriteSchema,
): InSubquery | undefined {
  let node: Node | undefined = term;
  if (negated) {
    const not = at(term, "BoolExpr");
    if (not?.boolop !== "NOT_EXPR" || items(not, "args").length !== 1) return undefined;
    node = items(not, "args")[0];
  }
  const link = at(node, "SubLink");
  if (link?.subLinkType !== "ANY_SUBLINK") return undefined;
  const operator = items(link, "operName").map((n) => at(n, "String")?.sval);
  if (operator.length > 1 || (operator.length === 1 && operator[0] !== "=")) return undefined;
  const inner = structuredClone(at(link, "subselect", "SelectStmt"));
  if (!isPlainSelect(inner) || inner.withClause) return undefined;
  // An uncorrelated IN runs its subquery once; the EXISTS runs per outer row: a volatile call would differ.
  if (callsVolatile(inner, schema)) return undefined;
  if (inner.groupClause || inner.havingClause || inner.windowClause) return undefined;
  if (inner.limitCount || inner.limitOffset) return undefined;
  const distinctClause = items(inner, "distinctClause");
  if (
    distinctClause.length > 1 ||
    (distinctClause.length === 1 && Object.keys(distinctClause[0] ?? {}).length > 0)
  )
    return undefined; // DISTINCT ON
  const targets = items(inner, "targetList");
  if (targets.length !== 1) return undefined;
  const innerFrom = items(inner, "fromClause");
  const innerFields = columnRef(at(targets[0], "ResTarget", "val"));
  const outerFields = columnRef(at(link, "testexpr"));
  if (!innerFields || !outerFields) return undefined;
  const innerColumn = resolveColumn(schema, innerFrom, innerFields);
  const outer = resolveColumn(schema, from, outerFields);
  if (!innerColumn || !outer) return undefined;
  // A name the subquery binds like the outer table's would capture the outer reference.
  if (fromRefs(innerFrom).includes(outer.ref)) return undefined;
  return {
    inner,
    outer: { ...outer, nullable: nullableRefs(from).has(outer.ref) },
    innerColumn: { ...innerColumn, nullable: nullableRefs(innerFrom).has(innerColumn.ref) },
    distinct: distinctClause.length === 1,
  };
}

/** The EXISTS (or NOT EXISTS) that replaces the IN: `SELECT 1 FROM ... WHERE <its where> AND y = x`. */
export function existsFor(found: InSubquery, negated: boolean): Node {
  const equality = makeBinaryOp(
    "=",
    makeColumnRef([found.innerColumn.ref, found.innerColumn.column.name]),
    makeColumnRef([found.outer.ref, found.outer.column.name]),
  );
  return existsWhere(found, equality, negated);
}

/**
 * `[NOT] EXISTS (SELECT 1 FROM ... WHERE <its where> [AND extra])` over the subquery's FROM and WHERE (a fresh
 * copy each time): `y IS NULL` asks whether the subquery holds a NULL, no extra whether it returns any row.
 */
export function existsWhere(found: InSubquery, extra: Node | null, negated: boolean): Node {
  const inner = structuredClone(found.inner);
  delete inner.distinctClause;
  inner.targetList = [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }];
  inner.whereClause = andOf([...andTerms(at(inner, "whereClause")), ...(extra ? [extra] : [])]);
  const exists = { SubLink: { subLinkType: "EXISTS_SUBLINK", subselect: { SelectStmt: inner } } };
  return negated ? { BoolExpr: { boolop: "NOT_EXPR", args: [exists] } } : exists;
}

/** table.column for an assumption line. */
export function columnName(found: ResolvedColumn): string {
  return `${tableLabel(found.table)}.${found.column.name}`;
}
