/**
 * The statement an N+1 loop repeats, batched into one call for every value of the loop, built on its parse tree
 * (libpg-query), deparsed (pgsql-deparser) and parsed back. `where k = $1` becomes `where k = ANY($1)` (MySQL:
 * `k IN (?)`, one ? per value), with k added to the select list so the caller can hand each row back to its
 * item; a statement that limits, groups, aggregates or removes duplicates per value keeps its meaning only as a
 * LATERAL join over the values (PostgreSQL only).
 */
import { deparseSync } from "pgsql-deparser";
import { parseSql, tryParseSql } from "../../util/sql-parser.js";
import { keyEquality } from "./lookup-key-shape.js";

type Node = Record<string, unknown>;

export interface BatchedStatement {
  /** The statement in PostgreSQL's form ($n placeholders); the caller writes MySQL's `?`. */
  text: string;
  /** The key column the values are for. */
  column: string;
  /** The placeholder that takes the array (or the list, for MySQL). */
  param: string;
  /** Whether each value needs its own run of the statement (LIMIT, GROUP BY, DISTINCT, aggregates). */
  lateral: boolean;
}

const AGGREGATES = new Set(["count", "sum", "avg", "min", "max"]);

export function batchedStatement(
  query: string,
  dialect: "postgres" | "mysql" = "postgres",
): BatchedStatement | null {
  const tree = tryParseSql(query);
  const select = (tree?.stmts?.[0]?.stmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (!select?.whereClause || tree?.stmts?.length !== 1 || select.op !== "SETOP_NONE") return null;
  const key = keyEquality(select.whereClause as Node);
  if (!key) return null;
  const perValue =
    select.limitCount !== undefined ||
    select.limitOffset !== undefined ||
    select.groupClause !== undefined ||
    select.distinctClause !== undefined ||
    aggregates(select.targetList as Node[] | undefined);
  let text: string;
  if (perValue) {
    if (dialect === "mysql") return null;
    const written = lateral(select, key);
    if (written === null) return null;
    text = written;
  } else {
    const expr = key.expr;
    if (dialect === "mysql") {
      expr.kind = "AEXPR_IN";
      expr.rexpr = { List: { items: [expr.rexpr] } };
    } else expr.kind = "AEXPR_OP_ANY";
    const targets = (select.targetList as Node[] | undefined) ?? [];
    if (!targets.some((t) => selects(t, key.fields))) {
      select.targetList = [
        { ResTarget: { val: { ColumnRef: { fields: key.fields.map((f) => ({ String: { sval: f } })) } } } },
        ...targets,
      ];
    }
    text = deparseSync(tree as never, { pretty: false });
  }
  // Parsed back: a deparser that wrote something else would not reach a user.
  if (tryParseSql(text)?.stmts?.length !== 1) return null;
  return { text, column: key.fields.at(-1) as string, param: `$${key.number}`, lateral: perValue };
}

/** Whether a select-list item is `*`, `t.*` or the key column itself. */
function selects(target: Node, fields: string[]): boolean {
  const ref = ((target.ResTarget as Node | undefined)?.val as Node | undefined)?.ColumnRef as
    | Node
    | undefined;
  if (!ref) return false;
  const names = ((ref.fields as Node[]) ?? []).map(
    (f) => ((f.String as Node | undefined)?.sval ?? "*") as string,
  );
  return names.at(-1) === "*" || names.at(-1) === fields.at(-1);
}

function aggregates(targets: Node[] | undefined): boolean {
  return (targets ?? []).some((t) => {
    const call = ((t.ResTarget as Node | undefined)?.val as Node | undefined)?.FuncCall as Node | undefined;
    const name = ((call?.funcname as Node[] | undefined)?.at(-1)?.String as Node | undefined)?.sval;
    return typeof name === "string" && AGGREGATES.has(name.toLowerCase());
  });
}

/**
 * `select batch.value, per_value.* from (select distinct k as value from t where k = any($n)) as batch cross join
 * lateral (<statement with $n replaced by batch.value>) as per_value`: the values come from the key column itself,
 * so `any($n)` gives the array its type (an untyped `unnest($n)` does not resolve: unnest(anyarray) and
 * unnest(tsvector) both match, which running the fix on PostgreSQL showed). Values without rows return none.
 * The wrapper is parsed from dbopt's own text; the table, key and statement are put in as trees. Only for a
 * statement reading one table: with joins, which table the key belongs to is not in the text.
 */
function lateral(select: Node, key: { fields: string[]; number: number }): string | null {
  const from = select.fromClause as Node[] | undefined;
  if (from?.length !== 1 || !from[0]?.RangeVar) return null;
  const table = structuredClone(from[0]);
  replaceParam(select, key.number);
  const wrapper = parseSql(
    `select batch.value, per_value.* from (select distinct k as value from t where k = any($${key.number})) as batch cross join lateral (select 1) as per_value`,
  );
  const outer = (((wrapper.stmts as Node[])[0] as Node).stmt as Node).SelectStmt as Node;
  const join = ((outer.fromClause as Node[])[0] as Node).JoinExpr as Node;
  const values = ((join.larg as Node).RangeSubselect as Node).subquery as Node;
  const distinct = values.SelectStmt as Node;
  const column = { ColumnRef: { fields: key.fields.map((f) => ({ String: { sval: f } })) } };
  ((distinct.targetList as Node[])[0]?.ResTarget as Node).val = column;
  distinct.fromClause = [table];
  ((distinct.whereClause as Node).A_Expr as Node).lexpr = structuredClone(column);
  ((join.rarg as Node).RangeSubselect as Node).subquery = { SelectStmt: select };
  return deparseSync(wrapper as never, { pretty: false });
}

/** Every `$n` under a node becomes the column batch.value (an explicit stack: no recursion on depth). */
function replaceParam(root: Node, param: number): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (isParam(node[i], param)) node[i] = batchValue();
        else stack.push(node[i]);
      }
    } else if (node && typeof node === "object") {
      const o = node as Node;
      for (const k of Object.keys(o)) {
        if (isParam(o[k], param)) o[k] = batchValue();
        else stack.push(o[k]);
      }
    }
  }
}

function isParam(node: unknown, param: number): boolean {
  const ref = (node as Node | null)?.ParamRef as Node | undefined;
  return ref !== undefined && Number(ref.number) === param;
}

function batchValue(): Node {
  return { ColumnRef: { fields: [{ String: { sval: "batch" } }, { String: { sval: "value" } }] } };
}
