/**
 * Reading and editing libpg-query trees for the rewrite rules: typed access into the untyped JSON, the ANDed terms
 * of a condition, constants, column references, an explicit-stack walk (no recursion on depth), volatile
 * functions, and the deparse that every rewrite goes through (pgsql-deparser, then parsed back with libpg-query).
 */
import { deparseSync } from "pgsql-deparser";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { tryParseSql } from "../../util/sql-parser.js";
import type { CallTraits, RewriteSchema, RewriteTable } from "./rewrite-rule.js";

export type Node = Record<string, unknown>;

/** node[k1][k2]…, or undefined when a step is missing or not an object. */
export function at(node: unknown, ...keys: string[]): Node | undefined {
  let current: unknown = node;
  for (const key of keys) {
    if (!current || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Node)[key];
  }
  return current && typeof current === "object" && !Array.isArray(current) ? (current as Node) : undefined;
}

/** node[k1][k2]… as a list (empty when missing). */
export function items(node: unknown, ...keys: string[]): Node[] {
  let current: unknown = node;
  for (const key of keys) {
    if (!current || typeof current !== "object") return [];
    current = (current as Node)[key];
  }
  return Array.isArray(current) ? (current as Node[]) : [];
}

/** The SelectStmt of a one-statement tree, or undefined. */
export function topSelect(tree: { stmts: Array<{ stmt: Node }> }): Node | undefined {
  return tree.stmts.length === 1 ? at(tree.stmts[0]?.stmt, "SelectStmt") : undefined;
}

/** A plain SELECT (no UNION/INTERSECT/EXCEPT, no VALUES, no locking clause). */
export function isPlainSelect(select: Node | undefined): select is Node {
  return (
    select !== undefined &&
    select.op === "SETOP_NONE" &&
    select.valuesLists === undefined &&
    select.lockingClause === undefined &&
    select.intoClause === undefined
  );
}

/** The names of a ColumnRef (`*` for a star), or null when the node is not a column reference. */
export function columnRef(node: unknown): string[] | null {
  const ref = at(node, "ColumnRef");
  if (!ref) return null;
  return items(ref, "fields").map((f) => (at(f, "String")?.sval as string | undefined) ?? "*");
}

export function makeColumnRef(fields: string[]): Node {
  return { ColumnRef: { fields: fields.map((f) => (f === "*" ? { A_Star: {} } : { String: { sval: f } })) } };
}

/** The terms of a condition's top-level AND (the condition itself when it is not an AND). */
export function andTerms(where: Node | undefined): Node[] {
  if (!where) return [];
  const out: Node[] = [];
  const stack: Node[] = [where];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const bool = at(node, "BoolExpr");
    // Pushed last first, so the terms come out in the statement's order (and the tree is not reordered).
    if (bool?.boolop === "AND_EXPR") stack.push(...[...items(bool, "args")].reverse());
    else out.push(node);
  }
  return out;
}

/** The AND of terms (undefined for none, the term itself for one). */
export function andOf(terms: Node[]): Node | undefined {
  if (terms.length === 0) return undefined;
  if (terms.length === 1) return terms[0];
  return { BoolExpr: { boolop: "AND_EXPR", args: terms } };
}

/** A plain binary operator expression: its operator name and two sides. */
export function binaryOp(node: unknown): { op: string; left: Node; right: Node; expr: Node } | null {
  const expr = at(node, "A_Expr");
  if (expr?.kind !== "AEXPR_OP") return null;
  const names = items(expr, "name");
  if (names.length !== 1) return null;
  const op = at(names[0], "String")?.sval;
  const left = at(expr, "lexpr");
  const right = at(expr, "rexpr");
  if (typeof op !== "string" || !left || !right) return null;
  return { op, left, right, expr };
}

export function makeBinaryOp(op: string, left: Node, right: Node): Node {
  return { A_Expr: { kind: "AEXPR_OP", name: [{ String: { sval: op } }], lexpr: left, rexpr: right } };
}

export type Constant =
  | { kind: "int"; value: bigint }
  | { kind: "num"; text: string }
  | { kind: "str"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" };

/** A literal constant (libpg-query writes the integer 0 as `ival: {}`), or null. */
export function constant(node: unknown): Constant | null {
  const c = at(node, "A_Const");
  if (!c) return null;
  if (c.isnull === true) return { kind: "null" };
  if ("ival" in c) return { kind: "int", value: BigInt((at(c, "ival")?.ival as number | undefined) ?? 0) };
  if ("fval" in c) {
    const text = at(c, "fval")?.fval as string;
    return /^-?\d+$/.test(text) ? { kind: "int", value: BigInt(text) } : { kind: "num", text };
  }
  if ("sval" in c) return { kind: "str", text: (at(c, "sval")?.sval as string | undefined) ?? "" };
  if ("boolval" in c) return { kind: "bool", value: at(c, "boolval")?.boolval === true };
  return null;
}

export function intConstant(value: bigint): Node {
  // Beyond int4 the parser itself writes a float-typed literal (an int8 or numeric constant).
  return value >= -2147483648n && value <= 2147483647n
    ? { A_Const: { ival: { ival: Number(value) } } }
    : { A_Const: { fval: { fval: value.toString() } } };
}

/**
 * Visit every object under root, depth first, with an explicit stack. `visit` returns false to skip a node's
 * children (e.g. a nested subquery).
 */
export function walk(root: unknown, visit: (node: Node) => boolean | undefined): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
    } else if (node && typeof node === "object") {
      if (visit(node as Node) === false) continue;
      for (const value of Object.values(node as Node))
        if (value && typeof value === "object") stack.push(value);
    }
  }
}

/**
 * Replace, in place, every node wrapped under root for which `make` returns a node (the walk does not enter a
 * replaced node). Returns how many were replaced.
 */
export function replaceWhere(root: Node, make: (node: Node) => Node | undefined): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.entries(node as Node);
    for (const [key, value] of entries) {
      if (!value || typeof value !== "object") continue;
      const made = Array.isArray(value) ? undefined : make(value as Node);
      if (made) {
        (node as Record<string | number, unknown>)[key] = made;
        count++;
      } else stack.push(value);
    }
  }
  return count;
}

/**
 * Innermost SELECT first (an outer rewrite copies its subquery, which then holds the inner rewrites already), each
 * term of its WHERE's top-level AND offered to `rewrite` with that SELECT's FROM items; the terms it returns take
 * the term's place, and undefined keeps it.
 */
export function rewriteWhereTerms(
  tree: Node,
  rewrite: (term: Node, from: Node[]) => Node[] | undefined,
): void {
  for (const select of allSelects(tree).reverse()) {
    const where = at(select, "whereClause");
    if (!where) continue;
    let changed = false;
    const terms = andTerms(where).flatMap((term) => {
      const made = rewrite(term, items(select, "fromClause"));
      if (!made) return [term];
      changed = true;
      return made;
    });
    if (changed) select.whereClause = andOf(terms);
  }
}

/**
 * In every SELECT of the tree, each comparison of its own WHERE (not a subquery's: those resolve against their own
 * FROM) offered to `make` with that SELECT's FROM items; a node it returns takes the comparison's place.
 */
export function replaceOwnComparisons(
  tree: Node,
  make: (node: Node, from: Node[]) => Node | undefined,
): void {
  for (const select of allSelects(tree)) {
    const where = at(select, "whereClause");
    if (!where) continue;
    const from = items(select, "fromClause");
    const own = new Set<Node>();
    walk(where, (node) => {
      if ("SubLink" in node) return false;
      if (binaryOp(node)) own.add(node);
      return true;
    });
    const holder: Node = { where };
    replaceWhere(holder, (node) => (own.has(node) ? make(node, from) : undefined));
    select.whereClause = holder.where;
  }
}

/** A call's name as written ([schema,] name) and its argument count (`count(*)` passes none). */
function callOf(call: Node): { name: string[]; argCount: number } {
  const name = items(call, "funcname").map((p) => String(at(p, "String")?.sval ?? ""));
  return { name, argCount: items(call, "args").length };
}

/** What pg_proc says a call may do; a function the schema does not know may do anything. */
export function callTraits(schema: RewriteSchema, call: Node): CallTraits {
  const { name, argCount } = callOf(call);
  return schema.call(name, argCount) ?? { returnsSet: true, volatile: true, aggregate: true };
}

/** The names (last part, as the parser spelled them) of the functions called under root. */
export function calledFunctionNames(root: unknown): string[] {
  const names = new Set<string>();
  walk(root, (node) => {
    const call = at(node, "FuncCall");
    const name = call ? callOf(call).name.at(-1) : undefined;
    if (name) names.add(name);
    return true;
  });
  return [...names];
}

/**
 * Whether root calls a function whose result can change between calls in one statement (pg_proc says VOLATILE, or
 * the schema does not know the function): a rewrite that evaluates an expression a different number of times, or
 * at another point, could change what it returns.
 */
export function callsVolatile(root: unknown, schema: RewriteSchema): boolean {
  let found = false;
  walk(root, (node) => {
    const call = at(node, "FuncCall");
    if (call && callTraits(schema, call).volatile) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether root, a select list or an expression of one, calls a set-returning function at its own level (pg_proc
 * proretset, or a function the schema does not know): each such call turns one row into any number, so a row can
 * repeat although the select list holds a unique key. A subquery's own calls do not count: it returns one value.
 */
export function callsSetReturning(root: unknown, schema: RewriteSchema): boolean {
  let found = false;
  walk(root, (node) => {
    if ("SubLink" in node) return false;
    const call = at(node, "FuncCall");
    if (call && !call.over && callTraits(schema, call).returnsSet) found = true;
    return !found;
  });
  return found;
}

/** Whether a SubLink (a subquery in an expression) is under root. */
export function hasSubLink(root: unknown): boolean {
  let found = false;
  walk(root, (node) => {
    if ("SubLink" in node) found = true;
    return !found;
  });
  return found;
}

export interface FromTable {
  /** The name the statement refers to it by: its alias, or its table name. */
  ref: string;
  relname: string;
  schemaname: string | undefined;
  node: Node;
}

/** The tables (RangeVars) of a FROM list, through explicit joins; subqueries and functions are left out. */
export function fromTables(from: Node[]): FromTable[] {
  const out: FromTable[] = [];
  const stack: Node[] = [...from].reverse();
  while (stack.length > 0) {
    const item = stack.pop() as Node;
    const join = at(item, "JoinExpr");
    if (join) {
      stack.push(at(join, "rarg") as Node, at(join, "larg") as Node);
      continue;
    }
    const rv = at(item, "RangeVar");
    if (!rv) continue;
    const relname = rv.relname as string;
    out.push({
      ref: (at(rv, "alias")?.aliasname as string | undefined) ?? relname,
      relname,
      schemaname: rv.schemaname as string | undefined,
      node: item,
    });
  }
  return out;
}

/**
 * One name for every item a FROM list reads, through joins: a table's alias or name, any other item's alias, an
 * unaliased function's name (the name PostgreSQL binds it by) and "" for other unaliased items (a subquery,
 * VALUES, ROWS FROM, XMLTABLE, JSON_TABLE). Every item counts, named or not: each one can add or repeat rows and
 * bring columns an unqualified name may mean. A JoinExpr's alias is one more name.
 */
export function fromRefs(from: Node[]): string[] {
  const out: string[] = [];
  const stack: Node[] = [...from];
  while (stack.length > 0) {
    const item = stack.pop() as Node;
    const join = at(item, "JoinExpr");
    if (join) {
      stack.push(at(join, "larg") as Node, at(join, "rarg") as Node);
      if (at(join, "alias")) out.push(at(join, "alias")?.aliasname as string);
      continue;
    }
    const [kind, body] = Object.entries(item)[0] ?? ["", undefined];
    const alias = at(body, "alias")?.aliasname as string | undefined;
    if (alias !== undefined) out.push(alias);
    else if (kind === "RangeVar") out.push((body as Node).relname as string);
    else if (kind === "RangeTableSample") out.push(fromRefs([at(body, "relation") as Node])[0] ?? "");
    else if (kind === "RangeFunction") out.push(singleFunctionName(body as Node));
    else out.push("");
  }
  return out;
}

/** The name an unaliased `FROM f(…)` is bound by (f), or "" for ROWS FROM (…) of several functions. */
function singleFunctionName(range: Node): string {
  const functions = items(range, "functions");
  const call = at(items(functions[0], "List", "items")[0], "FuncCall");
  if (functions.length !== 1 || !call) return "";
  return callOf(call).name.at(-1) ?? "";
}

/** The table a FROM entry names, when the schema knows it. */
function schemaTable(schema: RewriteSchema, table: FromTable): RewriteTable | undefined {
  return schema.table(table.relname, table.schemaname);
}

/** `schema.name` as people write it (public left out), for assumptions. */
export function tableLabel(table: RewriteTable): string {
  return table.schema === "public" ? table.name : `${table.schema}.${table.name}`;
}

/** Column references under root, not entering nested subqueries when `ownLevelOnly`. */
export function columnRefsUnder(root: unknown, ownLevelOnly = false): string[][] {
  const refs: string[][] = [];
  walk(root, (node) => {
    if (ownLevelOnly && "SubLink" in node) return false;
    const fields = columnRef(node);
    if (fields) refs.push(fields);
    return fields === null;
  });
  return refs;
}

/** A fresh name not among `taken` (`base`, `base_2`, …). */
export function freshName(taken: Iterable<string>, base: string): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let i = 2; ; i++) if (!set.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Deparse an expression or clause (for comparing two subtrees by their SQL text). */
export function deparseNode(node: Node): string {
  return deparseSync(node as never, { pretty: false });
}

/**
 * The statement deparsed from an edited tree, or null when the text does not parse back as one statement.
 * pgsql-deparser writes a CTE's name and a window's name unquoted (`WITH Big Sums AS`): those names are deparsed as
 * placeholders and put back quoted.
 */
export function deparseStatement(tree: unknown): string | null {
  const copy = structuredClone(tree);
  const names = new Map<string, string>();
  const placeholder = (name: string) => {
    const key = `dbopt_quoted_name_${names.size + 1}`;
    names.set(key, quoteIdent(name));
    return key;
  };
  walk(copy, (node) => {
    const cte = at(node, "CommonTableExpr");
    if (typeof cte?.ctename === "string" && quoteIdent(cte.ctename) !== cte.ctename)
      cte.ctename = placeholder(cte.ctename);
    // A WINDOW clause entry is wrapped ({ WindowDef }), a FuncCall's OVER is not.
    for (const window of [at(node, "WindowDef"), at(node, "FuncCall", "over")])
      for (const key of ["name", "refname"])
        if (typeof window?.[key] === "string" && quoteIdent(window[key] as string) !== window[key])
          window[key] = placeholder(window[key] as string);
    return true;
  });
  let text: string;
  try {
    text = deparseSync(copy as never, { pretty: false });
  } catch {
    return null;
  }
  for (const [key, quoted] of names) text = text.split(key).join(quoted);
  return tryParseSql(text)?.stmts?.length === 1 ? text : null;
}

export interface ResolvedColumn {
  table: RewriteTable;
  /** The name the statement refers to the table by. */
  ref: string;
  column: RewriteTable["columns"][number];
}

/**
 * The table column a reference means among a SELECT's own FROM tables: `alias.col` by its alias, `col` when exactly
 * one known table has it and every table of the FROM list is known (otherwise it could be another's, or an outer
 * query's). Undefined when the schema does not say.
 */
export function resolveColumn(
  schema: RewriteSchema,
  from: Node[],
  fields: string[],
): ResolvedColumn | undefined {
  const tables = fromTables(from);
  const known = tables.map((t) => ({ from: t, table: schemaTable(schema, t) }));
  const name = fields.at(-1) as string;
  if (fields.length === 2) {
    const hit = known.find((k) => k.from.ref === fields[0]);
    const column = hit?.table?.columns.find((c) => c.name === name);
    return hit?.table && column ? { table: hit.table, ref: hit.from.ref, column } : undefined;
  }
  if (fields.length !== 1 || known.some((k) => !k.table) || fromRefs(from).length !== tables.length)
    return undefined;
  const having = known.filter((k) => k.table?.columns.some((c) => c.name === name));
  if (having.length !== 1) return undefined;
  const hit = having[0] as { from: FromTable; table: RewriteTable };
  return {
    table: hit.table,
    ref: hit.from.ref,
    column: hit.table.columns.find((c) => c.name === name) as never,
  };
}

/** int2/int4/int8 as format_type prints them. */
export function isIntegerType(type: string): boolean {
  return /^(smallint|integer|bigint)$/.test(type);
}

export function isNumericType(type: string): boolean {
  return isIntegerType(type) || /^(numeric|real|double precision)(\(.*\))?$/.test(type);
}

/** text and varchar: equal only when the strings are equal (bpchar pads, citext folds case). */
function isPlainTextType(type: string): boolean {
  return /^(text|character varying(\(\d+\))?)$/.test(type);
}

/**
 * Whether two different string constants can never be equal on this column: text or varchar under a deterministic
 * collation (a nondeterministic one makes 'a' = 'A' true when it is case-insensitive).
 */
export function comparesByText(column: RewriteTable["columns"][number]): boolean {
  return isPlainTextType(column.type) && column.nondeterministicCollation === undefined;
}

/** The integer range of an integer column type. */
export function integerRange(type: string): [bigint, bigint] {
  if (type === "smallint") return [-32768n, 32767n];
  if (type === "integer") return [-2147483648n, 2147483647n];
  return [-9223372036854775808n, 9223372036854775807n];
}

/** Every SelectStmt in a statement (the statement's own, its subqueries, CTEs and set-operation branches). */
export function allSelects(root: unknown): Node[] {
  const out: Node[] = [];
  walk(root, (node) => {
    const select = at(node, "SelectStmt");
    if (select) out.push(select);
    return true;
  });
  return out;
}
