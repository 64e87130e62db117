/**
 * Which columns a WHERE clause or a plan condition constrains, and how: equality, range, IN, IS NULL, LIKE,
 * or through an expression such as lower(email). Read from the real PostgreSQL parse tree.
 */
import { byteToCharOffset, tryParseSql } from "../../util/sql-parser.js";
import { callTextAt } from "../../util/sql-text.js";

export type PredicateKind = "eq" | "in" | "range" | "null" | "not-null" | "like" | "contains" | "other";

export interface ColumnPredicate {
  /** Table alias or name the column was qualified with, if any. */
  qualifier: string | null;
  /** Column name, or the expression text for an expression predicate (lower(email)). */
  column: string;
  isExpression: boolean;
  kind: PredicateKind;
  operator: string;
  /** The constant compared with, when it is one ('escalated', 42). */
  constant: string | number | null;
  /** Under an OR: a plain index on the column does not serve it alone. */
  underOr: boolean;
}

type Node = Record<string, unknown>;

const RANGE_OPS = new Set(["<", "<=", ">", ">="]);
const LIKE_OPS = new Set(["~~", "~~*", "!~~", "!~~*"]);
const CONTAINS_OPS = new Set(["@>", "<@", "&&", "?", "?|", "?&", "@@"]);

/**
 * The one classifier of a comparison (an A_Expr's kind and operator, the column on the left) for both readers of
 * predicates: this file's (plan conditions, WHERE clauses) and query-shape.ts's (index advice).
 */
export function operatorKind(exprKind: string, operator: string): PredicateKind {
  if (exprKind === "AEXPR_IN" || (exprKind === "AEXPR_OP_ANY" && operator === "=")) return "in";
  if (exprKind === "AEXPR_BETWEEN") return "range";
  if (exprKind === "AEXPR_LIKE" || exprKind === "AEXPR_ILIKE" || LIKE_OPS.has(operator)) return "like";
  if (exprKind === "AEXPR_OP" && operator === "=") return "eq";
  if (exprKind === "AEXPR_OP" && RANGE_OPS.has(operator)) return "range";
  if (exprKind === "AEXPR_OP" && CONTAINS_OPS.has(operator)) return "contains";
  return "other";
}

/** Predicates of an expression as EXPLAIN prints it ("((status)::text = 'x'::text)"), or [] if unreadable. */
export function predicatesOfCondition(condition: string): ColumnPredicate[] {
  const sql = `SELECT 1 WHERE ${explainToSql(condition)}`;
  const tree = tryParseSql(sql);
  const where = (tree?.stmts?.[0]?.stmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (!where?.whereClause) return [];
  const out: ColumnPredicate[] = [];
  collect(where.whereClause as Node, sql, false, out);
  return out;
}

/** Predicates of a statement's WHERE clauses (every SELECT, UPDATE and DELETE in it). */
export function predicatesOfStatement(sql: string): ColumnPredicate[] {
  const tree = tryParseSql(sql);
  if (!tree) return [];
  const out: ColumnPredicate[] = [];
  visit(tree as unknown as Node, (node) => {
    for (const key of ["SelectStmt", "UpdateStmt", "DeleteStmt"]) {
      const stmt = node[key] as Node | undefined;
      if (stmt?.whereClause) collect(stmt.whereClause as Node, sql, false, out);
    }
    const join = node.JoinExpr as Node | undefined;
    if (join?.quals) collect(join.quals as Node, sql, false, out);
  });
  return out;
}

/** EXPLAIN prints a few things that are not SQL: InitPlan/SubPlan references. Make them parameters. */
export function explainToSql(condition: string): string {
  return condition
    .replace(/\(InitPlan \d+\)\.col\d+/g, "$1")
    .replace(/\((?:hashed )?SubPlan \d+\)\.col\d+/g, "$1")
    .replace(/\(?(?:hashed )?SubPlan \d+\)?/g, "true")
    .replace(/\bANY \(([^()]*?) = \$1\)/g, "$1 = $$1");
}

function collect(node: Node, sql: string, underOr: boolean, out: ColumnPredicate[]): void {
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    const or = bool.boolop === "OR_EXPR";
    for (const arg of (bool.args as Node[]) ?? []) collect(arg, sql, underOr || or, out);
    return;
  }
  const nullTest = node.NullTest as Node | undefined;
  if (nullTest) {
    const target = operand(nullTest.arg as Node, sql);
    if (target) {
      out.push({
        ...target,
        kind: nullTest.nulltesttype === "IS_NULL" ? "null" : "not-null",
        operator: nullTest.nulltesttype === "IS_NULL" ? "IS NULL" : "IS NOT NULL",
        constant: null,
        underOr,
      });
    }
    return;
  }
  const expr = node.A_Expr as Node | undefined;
  if (!expr) return;
  const operator = ((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval as
    | string
    | undefined;
  const kindName = expr.kind as string;
  let left = operand(expr.lexpr as Node, sql);
  let right = operand(expr.rexpr as Node, sql);
  let op = operator ?? "";
  // Put the column on the left: "5 < total" reads as "total > 5".
  if (!left && right) {
    [left, right] = [right, null];
    op = flip(op);
  }
  if (!left) return;
  let kind = operatorKind(kindName, op);
  // A column compared with another column is no equality or range an index on one of them serves.
  if (right && kindName === "AEXPR_OP" && (kind === "eq" || kind === "range")) kind = "other";
  // "a.x = b.y" is a join condition: report both sides as equality on their own tables.
  if (kindName === "AEXPR_OP" && op === "=" && right) {
    out.push({ ...left, kind: "eq", operator: "=", constant: null, underOr });
    out.push({ ...right, kind: "eq", operator: "=", constant: null, underOr });
    return;
  }
  out.push({ ...left, kind, operator: op, constant: constantOf(expr.rexpr as Node), underOr });
}

type Operand = Pick<ColumnPredicate, "qualifier" | "column" | "isExpression">;

function operand(node: Node | undefined, sql: string): Operand | null {
  if (!node) return null;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return operand(cast.arg as Node, sql);
  const ref = node.ColumnRef as Node | undefined;
  if (ref) {
    const names = ((ref.fields as Node[]) ?? [])
      .map((f) => (f.String as Node | undefined)?.sval as string | undefined)
      .filter((s): s is string => Boolean(s));
    const column = names.at(-1);
    if (!column) return null;
    return { qualifier: names.length > 1 ? (names.at(-2) ?? null) : null, column, isExpression: false };
  }
  const call = (node.FuncCall ?? node.A_Expr) as Node | undefined;
  if (call && containsColumn(node)) {
    const text = expressionText(sql, byteToCharOffset(sql, Number(call.location ?? 0)), node);
    return text ? { qualifier: null, column: text, isExpression: true } : null;
  }
  return null;
}

function constantOf(node: Node | undefined): string | number | null {
  if (!node) return null;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return constantOf(cast.arg as Node);
  const c = node.A_Const as Node | undefined;
  if (!c) return null;
  const value = (c.sval ?? c.ival ?? c.fval ?? c.boolval) as Node | undefined;
  if (!value) return null;
  const v = value.sval ?? value.ival ?? value.fval ?? value.boolval;
  return typeof v === "number" ? v : v === undefined ? 0 : String(v);
}

function containsColumn(node: Node): boolean {
  let found = false;
  visit(node, (n) => {
    if (n.ColumnRef) found = true;
  });
  return found;
}

/** The text of a function-call expression starting at `start`, up to its closing parenthesis. */
function expressionText(sql: string, start: number, node: Node): string | null {
  if (!node.FuncCall) return null;
  // Lexer-aware: a parenthesis inside a quoted column name must not end the call.
  return callTextAt(sql, start);
}

function flip(op: string): string {
  return { "<": ">", ">": "<", "<=": ">=", ">=": "<=" }[op] ?? op;
}

function visit(node: unknown, fn: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, fn);
  } else if (node && typeof node === "object") {
    fn(node as Node);
    for (const value of Object.values(node)) visit(value, fn);
  }
}
