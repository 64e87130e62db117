/**
 * A cast on the column side of a comparison hides the column from its index: `id::text = '42'`, `id::bigint = 5`
 * on an integer column, and `int_col > 42.5` (the integer column is cast to numeric, implicitly). Where the cast is
 * lossless for the column's type (read from the schema) the constant can be converted instead:
 * - integer column cast to text/varchar, compared by = or <> (or IN) with a string that is an integer's canonical
 *   text: `'42'` is the text of exactly one integer, 42 (`'042'` is no integer's text: declined);
 * - integer column cast to a wider integer type: widening is exact;
 * - integer column compared with a numeric (explicit cast or a decimal constant): an integral value keeps its
 *   operator; `> 42.5` / `>= 42.5` is `>= 43`, `< 42.5` / `<= 42.5` is `<= 42`; `= 42.5` is left alone.
 * A text column cast to an integer (`code::int = 42`) is not turned around: ' 42' and '042' cast to 42 too.
 * Only for a column that leads an index: elsewhere the cast costs nothing worth a rewrite.
 */
import { leadingIndex } from "./rewrite-query-shape.js";
import type { RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  allSelects,
  at,
  binaryOp,
  columnRef,
  constant,
  deparseNode,
  deparseStatement,
  intConstant,
  integerRange,
  isIntegerType,
  items,
  type Node,
  type ResolvedColumn,
  resolveColumn,
  tableLabel,
  walk,
} from "./rewrite-tree-shape.js";

const FLIP: Record<string, string> = { "=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const INTEGER_WIDTH: Record<string, number> = {
  int2: 2,
  smallint: 2,
  int4: 4,
  int: 4,
  integer: 4,
  int8: 8,
  bigint: 8,
};

export const sargableCast: RewriteRule = {
  id: "rewrite/sargable-cast",
  title: "Cast on an indexed column instead of on the constant",
  description:
    "A comparison that casts an indexed integer column (to text, to a wider integer, to numeric, or implicitly against a decimal constant) is rewritten to compare the column itself with a converted constant, where the conversion is exact for the column's type.",
  docsUrl: "https://www.postgresql.org/docs/current/typeconv-oper.html",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const changed: string[] = [];
    const assumptions = new Set<string>();
    for (const select of allSelects(tree)) {
      const where = at(select, "whereClause");
      if (!where) continue;
      const from = items(select, "fromClause");
      // Comparisons of this SELECT's own condition; nested subqueries are SELECTs of their own.
      const targets: Node[] = [];
      walk(where, (node) => {
        if ("SubLink" in node) return false;
        if (at(node, "A_Expr")) targets.push(node);
        return true;
      });
      for (const node of targets) {
        const before = deparseNode(node);
        const done = rewriteComparison(node, from, input.schema);
        if (!done) continue;
        changed.push(`${before} → ${deparseNode(node)}`);
        assumptions.add(done);
      }
    }
    if (changed.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: changed.join("; "),
        why: "With the cast on the constant, the comparison is on the column itself, so its B-tree index can serve it (an index on the column does not index the cast's result).",
        assumptions: [...assumptions],
      },
    ];
  },
};

/** Edit one A_Expr node in place; the assumption it rests on, or null when it does not apply. */
function rewriteComparison(node: Node, from: Node[], schema: RewriteSchema): string | null {
  const expr = at(node, "A_Expr") as Node;
  if (expr.kind === "AEXPR_IN") return rewriteTextIn(expr, from, schema);
  const cmp = binaryOp(node);
  if (!cmp || !(cmp.op in FLIP)) return null;
  let column = castColumn(cmp.left, from, schema);
  let other = cmp.right;
  let op = cmp.op;
  if (!column) {
    column = castColumn(cmp.right, from, schema);
    other = cmp.left;
    op = FLIP[cmp.op] as string;
  }
  if (!column || !isIntegerType(column.resolved.column.type)) return null;
  const result = convertedComparison(column.cast, op, other, column.resolved.column.type);
  if (!result) return null;
  // Written column first: `col op constant`.
  expr.lexpr = column.bare;
  expr.rexpr = result.constant;
  expr.name = [{ String: { sval: result.op } }];
  return `${label(column.resolved)} is ${column.resolved.column.type} and leads the index ${column.index}`;
}

/** `col::text IN ('1', '2')` on an integer column → `col IN (1, 2)`. */
function rewriteTextIn(expr: Node, from: Node[], schema: RewriteSchema): string | null {
  const column = castColumn(at(expr, "lexpr"), from, schema);
  const list = items(at(expr, "rexpr"), "List", "items");
  if (column?.cast !== "text" || list.length === 0) return null;
  if (!isIntegerType(column.resolved.column.type)) return null;
  const values = list.map((item) => canonicalInteger(item, column.resolved.column.type));
  if (values.some((v) => v === null)) return null;
  expr.lexpr = column.bare;
  expr.rexpr = { List: { items: values.map((v) => intConstant(v as bigint)) } };
  return `${label(column.resolved)} is ${column.resolved.column.type} and leads the index ${column.index}; each string is the text of exactly one integer`;
}

interface CastColumn {
  bare: Node;
  /** "text", "numeric", "wider" (a wider integer type) or "none" (no cast on the column). */
  cast: "text" | "numeric" | "wider" | "none";
  resolved: ResolvedColumn;
  index: string;
}

function castColumn(node: Node | undefined, from: Node[], schema: RewriteSchema): CastColumn | null {
  const cast = at(node, "TypeCast");
  const bare = cast ? at(cast, "arg") : node;
  const fields = columnRef(bare);
  if (!bare || !fields || fields.includes("*")) return null;
  const resolved = resolveColumn(schema, from, fields);
  if (!resolved) return null;
  const index = leadingIndex(resolved.table, resolved.column.name);
  if (!index) return null;
  if (!cast) return { bare, cast: "none", resolved, index };
  const names = items(cast, "typeName", "names").map((n) => String(at(n, "String")?.sval ?? ""));
  const typeName = names.at(-1) ?? "";
  if (at(cast, "typeName")?.arrayBounds !== undefined || items(cast, "typeName", "typmods").length > 0)
    return null;
  let kind: CastColumn["cast"] | null = null;
  if (typeName === "text" || typeName === "varchar") kind = "text";
  else if (typeName === "numeric") kind = "numeric";
  else if ((INTEGER_WIDTH[typeName] ?? 0) > (INTEGER_WIDTH[resolved.column.type] ?? 99)) kind = "wider";
  return kind ? { bare, cast: kind, resolved, index } : null;
}

/** The comparison with the constant converted to the integer column's type, or null when not exact. */
function convertedComparison(
  cast: CastColumn["cast"],
  op: string,
  other: Node,
  type: string,
): { op: string; constant: Node } | null {
  if (cast === "text") {
    if (op !== "=" && op !== "<>") return null;
    const value = canonicalInteger(other, type);
    return value === null ? null : { op, constant: intConstant(value) };
  }
  const otherCast = at(other, "TypeCast");
  const castTo = items(otherCast, "typeName", "names")
    .map((n) => String(at(n, "String")?.sval ?? ""))
    .at(-1);
  const value = constant(otherCast ? at(otherCast, "arg") : other);
  if (!value || (value.kind !== "int" && value.kind !== "num")) return null;
  if (otherCast && castTo !== "numeric") return null;
  // A plain integer constant against the plain column is sargable already.
  if (cast === "none" && value.kind === "int" && !otherCast) return null;
  if (cast === "wider" && (value.kind !== "int" || otherCast)) return null;
  const decimal = value.kind === "int" ? { floor: value.value, integral: true } : decimalParts(value.text);
  if (!decimal) return null;
  const [low, high] = integerRange(type);
  let result: { op: string; value: bigint } | null;
  if (decimal.integral) result = { op, value: decimal.floor };
  else if (op === ">" || op === ">=") result = { op: ">=", value: decimal.floor + 1n };
  else if (op === "<" || op === "<=") result = { op: "<=", value: decimal.floor };
  else result = null;
  if (!result) return null;
  // A constant beyond the column's range would overflow the conversion the other way: leave it to the server.
  if (cast !== "wider" && (result.value < low || result.value > high)) return null;
  return { op: result.op, constant: intConstant(result.value) };
}

/** The integer a string constant is the canonical text of (`'42'`, `'-7'`; not `'042'`, `'+1'`, `' 1'`). */
function canonicalInteger(node: Node, type: string): bigint | null {
  const value = constant(node);
  if (value?.kind !== "str" || !/^(0|-?[1-9]\d*)$/.test(value.text)) return null;
  const n = BigInt(value.text);
  const [low, high] = integerRange(type);
  return n >= low && n <= high ? n : null;
}

/** floor() of a plain decimal text and whether it is integral (`42.0`); null for exponents. */
function decimalParts(text: string): { floor: bigint; integral: boolean } | null {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const integral = /^0*$/.test(fraction);
  const magnitude = BigInt(whole as string);
  if (sign === "-") return { floor: integral ? -magnitude : -magnitude - 1n, integral };
  return { floor: magnitude, integral };
}

function label(resolved: ResolvedColumn): string {
  return `${tableLabel(resolved.table)}.${resolved.column.name}`;
}
