/**
 * Which `dbopt rewrite` rule may write a sargable form of a plan's filter: a condition as EXPLAIN prints it
 * (`(date(created_at) = '2024-02-01'::date)`, `((qty + 1) = 500)`, `((id)::text = '42'::text)`,
 * `(COALESCE(status, 0) = 3)`) read with libpg-query, the first comparison whose column is hidden by a function,
 * arithmetic, a cast or a coalesce named with the rule that moves it off the column. The rule itself decides on
 * the statement (types, indexes, constants) and the proof on the data; this only points there.
 */
import { explainToSql } from "../../facts/sql/predicates.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { tryParseSql } from "../../util/sql-parser.js";

export interface RewritePointer {
  ruleId: string;
  /** What hides the column, for the note: "date(created_at)". */
  shape: string;
  /** One sentence for a finding's fix note. */
  note: string;
}

type Node = Record<string, unknown>;

const COMPARISONS = new Set(["=", "<", "<=", ">", ">=", "<>"]);
const DATE_FUNCTIONS = new Set(["date", "date_trunc", "date_part", "extract", "to_char"]);
/** Rules that compute with the compared value, so they rewrite a literal and not a $n. */
const NEEDS_LITERAL = new Set([
  "rewrite/sargable-arithmetic",
  "rewrite/sargable-cast",
  "rewrite/coalesce-equality",
]);

export function sargableRewriteFor(condition: string): RewritePointer | null {
  const tree = tryParseSql(`SELECT 1 WHERE ${explainToSql(condition)}`);
  const select = (tree?.stmts?.[0]?.stmt as Node | undefined)?.SelectStmt as Node | undefined;
  const stack: unknown[] = [select?.whereClause];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const expr = (node as Node).A_Expr as Node | undefined;
    const op = ((expr?.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
    if (expr?.kind === "AEXPR_OP" && typeof op === "string" && COMPARISONS.has(op))
      for (const [side, other] of [
        [expr.lexpr, expr.rexpr],
        [expr.rexpr, expr.lexpr],
      ] as Array<[Node | undefined, Node | undefined]>) {
        const found = hidden(side);
        if (found) return other?.ParamRef && NEEDS_LITERAL.has(found.ruleId) ? withLiteral(found) : found;
      }
    // A bare boolean coalesce(flag, false) is a comparison with true.
    const bare = hidden(node as Node);
    if (bare?.ruleId === "rewrite/coalesce-equality") return bare;
    if ((node as Node).SubLink) continue; // a subquery's filter is its own node's
    for (const value of Object.values(node as Node))
      if (value && typeof value === "object") stack.push(value);
  }
  return null;
}

/** The rule for a comparison side that wraps a column, or null. */
function hidden(side: Node | undefined): RewritePointer | null {
  if (!side) return null;
  const call = side.FuncCall as Node | undefined;
  if (call) {
    const name = lastName(call.funcname);
    const args = (call.args as Node[] | undefined) ?? [];
    if (name && DATE_FUNCTIONS.has(name) && args.some((a) => column(a)))
      return pointer("rewrite/sargable-date-function", `${name}(${args.map(text).join(", ")})`);
  }
  const cast = side.TypeCast as Node | undefined;
  if (cast && column(cast.arg as Node)) {
    const type = lastName((cast.typeName as Node | undefined)?.names);
    const shape = `${text(cast.arg as Node)}::${type}`;
    return type === "date"
      ? pointer("rewrite/sargable-date-function", shape)
      : pointer("rewrite/sargable-cast", shape);
  }
  const arithmetic = side.A_Expr as Node | undefined;
  const op = ((arithmetic?.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
  if (arithmetic?.kind === "AEXPR_OP" && (op === "+" || op === "-")) {
    const [l, r] = [arithmetic.lexpr as Node, arithmetic.rexpr as Node];
    if ((column(l) && r?.A_Const) || (op === "+" && column(r) && l?.A_Const))
      return pointer("rewrite/sargable-arithmetic", `${text(l)} ${op} ${text(r)}`);
  }
  const coalesce = ((side.CoalesceExpr as Node | undefined)?.args as Node[] | undefined) ?? [];
  if (coalesce.length === 2 && column(coalesce[0]))
    return pointer("rewrite/coalesce-equality", `COALESCE(${coalesce.map(text).join(", ")})`);
  return null;
}

function pointer(ruleId: string, shape: string): RewritePointer {
  return {
    ruleId,
    shape,
    note: `${shape} hides the column from its indexes: \`dbopt rewrite\` (rule ${ruleId}) writes the condition on the bare column where that returns the same rows, and proves it on your data.`,
  };
}

/** A plan of a statement with $n (pg_stat_statements' text, a generic plan): the rule needs the value itself. */
function withLiteral(found: RewritePointer): RewritePointer {
  return {
    ...found,
    note: `${found.note.replace(/\.$/, "")}; give it the statement with the value written in, as the rule computes with it and leaves a $n alone.`,
  };
}

function column(node: Node | undefined): boolean {
  return Boolean(node?.ColumnRef);
}

function lastName(names: unknown): string | undefined {
  const list = Array.isArray(names) ? (names as Node[]) : [];
  const last = (list.at(-1)?.String as Node | undefined)?.sval;
  return typeof last === "string" ? last.toLowerCase() : undefined;
}

/** A short text of a column or constant for the note (the rule prints the real SQL). */
function text(node: Node | undefined): string {
  const fields = ((node?.ColumnRef as Node | undefined)?.fields as Node[] | undefined) ?? [];
  if (fields.length)
    return fields.map((f) => quoteIdent(String((f.String as Node | undefined)?.sval ?? "*"))).join(".");
  const c = node?.A_Const as Node | undefined;
  if (c) {
    if ("boolval" in c) return (c.boolval as Node | undefined)?.boolval === true ? "true" : "false";
    for (const [key, inner] of [
      ["ival", "ival"],
      ["fval", "fval"],
      ["sval", "sval"],
    ] as const) {
      const v = (c[key] as Node | undefined)?.[inner];
      if (key in c) return key === "sval" ? `'${String(v ?? "").replace(/'/g, "''")}'` : String(v ?? 0);
    }
  }
  if (node?.TypeCast) return text((node.TypeCast as Node).arg as Node);
  return "…";
}
