/**
 * `coalesce(col, c) op v` in a WHERE condition, where the default c itself does not satisfy `c op v`: a row whose
 * col is NULL fails either way, so the condition is `col op v`, which an index on col can serve. Only among the
 * ANDed terms of a WHERE clause: there false and NULL both drop the row, while under NOT or in a select list
 * `coalesce(NULL, c) = v` (false) and `NULL = v` (NULL) differ.
 */
import type { Rewrite, RewriteRule, RewriteTable } from "./rewrite-rule.js";
import {
  allSelects,
  andTerms,
  at,
  binaryOp,
  type Constant,
  columnRef,
  comparesByText,
  constant,
  deparseNode,
  deparseStatement,
  isNumericType,
  items,
  makeBinaryOp,
  type Node,
  resolveColumn,
  tableLabel,
} from "./rewrite-tree-shape.js";

const FLIP: Record<string, string> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

export const coalesceEquality: RewriteRule = {
  id: "rewrite/coalesce-equality",
  title: "coalesce(col, default) compared with a value the default is not",
  description:
    "A WHERE term `coalesce(col, c) op v` where c does not satisfy `op v` is `col op v`: NULL rows fail both, and the plain comparison can use an index on col.",
  docsUrl: "https://www.postgresql.org/docs/current/functions-conditional.html#FUNCTIONS-COALESCE-NVL-IFNULL",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    const changed: string[] = [];
    for (const select of allSelects(tree)) {
      const terms = andTerms(at(select, "whereClause"));
      if (terms.length === 0) continue;
      let edited = false;
      const next = terms.map((term) => {
        const found = plainComparison(term, select, input.schema);
        if (!found) return term;
        edited = true;
        changed.push(`${deparseNode(term)} → ${deparseNode(found.term)}`);
        assumptions.push(found.assumption);
        return found.term;
      });
      if (edited)
        select.whereClause = next.length === 1 ? next[0] : { BoolExpr: { boolop: "AND_EXPR", args: next } };
    }
    if (changed.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    const rewrite: Rewrite = {
      ruleId: this.id,
      sql,
      summary: changed.join("; "),
      why: "A function around the column hides it from its indexes; the plain comparison can use a B-tree on the column and its statistics.",
      assumptions: [
        ...new Set([...assumptions, "only in WHERE's ANDed terms, where false and NULL both drop the row"]),
      ],
    };
    return [rewrite];
  },
};

/** The sargable form of one WHERE term, or null when it is not `coalesce(col, c) op v` with `c op v` false. */
function plainComparison(
  term: Node,
  select: Node,
  schema: Parameters<RewriteRule["rewrite"]>[0]["schema"],
): { term: Node; assumption: string } | null {
  // A bare boolean `coalesce(flag, false)` is `coalesce(flag, false) = true`.
  const bare = coalesceOf(term);
  const cmp = bare
    ? { op: "=", left: term, right: { A_Const: { boolval: { boolval: true } } } as Node }
    : binaryOp(term);
  if (!cmp) return null;
  let side = coalesceOf(cmp.left);
  let op = cmp.op;
  let other = cmp.right;
  if (!side) {
    side = coalesceOf(cmp.right);
    op = FLIP[cmp.op] as string;
    other = cmp.left;
  }
  if (!side || !(op in FLIP)) return null;
  const value = constant(other);
  const fallback = constant(side.fallback);
  const fields = columnRef(side.column);
  if (!value || !fallback || !fields || value.kind === "null" || fallback.kind === "null") return null;
  const resolved = resolveColumn(schema, items(select, "fromClause"), fields);
  if (!resolved) return null;
  const type = resolved.column.type;
  const holds = satisfies(fallback, op, value, resolved.column);
  if (holds !== false) return null;
  const plain = bare ? side.column : makeBinaryOp(op, side.column, other);
  return {
    term: plain,
    assumption: `${tableLabel(resolved.table)}.${resolved.column.name} is ${type}${fallback.kind === "str" ? " under a deterministic collation" : ""}, so ${deparseNode(side.fallback)} ${op} ${deparseNode(other)} is false`,
  };
}

function coalesceOf(node: Node): { column: Node; fallback: Node } | null {
  const args = items(at(node, "CoalesceExpr"), "args");
  if (args.length !== 2 || !columnRef(args[0]) || !constant(args[1])) return null;
  return { column: args[0] as Node, fallback: args[1] as Node };
}

/** Whether `c op v` holds for constants of the column's type; undefined when dbopt cannot tell for sure. */
function satisfies(
  c: Constant,
  op: string,
  v: Constant,
  column: RewriteTable["columns"][number],
): boolean | undefined {
  const type = column.type;
  const numeric = (k: Constant) => k.kind === "int" || k.kind === "num";
  if (numeric(c) && numeric(v) && isNumericType(type)) {
    const a = numberOf(c);
    const b = numberOf(v);
    if (a === undefined || b === undefined) return undefined;
    return compare(a, b, op);
  }
  // Strings: only equality, only for text/varchar under a deterministic collation (no padding or case folding can
  // make two different strings equal there; a nondeterministic collation can: 'a' = 'A' when case-insensitive).
  if (c.kind === "str" && v.kind === "str" && op === "=" && comparesByText(column)) return c.text === v.text;
  if (c.kind === "bool" && v.kind === "bool" && op === "=" && type === "boolean") return c.value === v.value;
  return undefined;
}

function numberOf(k: Constant): number | undefined {
  if (k.kind === "num" && k.text.replace(/[-+.eE]/g, "").length > 15) return undefined;
  const n = k.kind === "int" ? Number(k.value) : k.kind === "num" ? Number(k.text) : Number.NaN;
  // Beyond 2^53 two different constants could compare equal as doubles.
  return Number.isFinite(n) && Math.abs(n) < 2 ** 53 ? n : undefined;
}

function compare(a: number, b: number, op: string): boolean {
  if (op === "=") return a === b;
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}
