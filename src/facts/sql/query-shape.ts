/**
 * What a statement asks of each table it reads, from the real parse tree: the columns it filters on and how
 * (equality, range, IN, IS NULL, LIKE, containment, through an expression), the join keys, ORDER BY with its
 * direction and whether a LIMIT follows, GROUP BY, the columns it returns, the columns an UPDATE sets, and for
 * each $n parameter the column it is compared with. Index advice is built from this.
 */
import { byteToCharOffset, tryParseSql } from "../../util/sql-parser.js";
import { callTextAt } from "../../util/sql-text.js";
import { operatorKind, type PredicateKind } from "./predicates.js";

export type UseKind = PredicateKind;

export interface TableRef {
  schema: string | null;
  name: string;
  /** The name the statement uses for it: its alias, else its name. */
  refName: string;
}

export interface ColumnUse {
  table: TableRef;
  /** A column name, or the text of an expression (lower(email)). */
  column: string;
  isExpression: boolean;
}

export interface PredicateUse extends ColumnUse {
  kind: UseKind;
  operator: string;
  /** The constant compared with, as text, when it is one. */
  constant: string | null;
  /** The constants of an IN list. */
  values: string[];
  /** The $n compared with, when it is a parameter. */
  param: number | null;
  /** Under an OR (a single-column index may still serve it through a BitmapOr). */
  underOr: boolean;
}

export interface OrderUse extends ColumnUse {
  desc: boolean;
}

export interface QueryBlock {
  tables: TableRef[];
  predicates: PredicateUse[];
  joins: Array<[ColumnUse, ColumnUse]>;
  orderBy: OrderUse[];
  groupBy: ColumnUse[];
  hasLimit: boolean;
  /** Returned columns per table refName; "*" when the block selects everything from it. */
  selected: Map<string, Set<string>>;
  /**
   * Every column the statement reads from each of the block's tables (per refName), in any clause and in
   * correlated subqueries: what an index must hold for an index-only scan. "*" when it reads the whole row.
   */
  referenced: Map<string, Set<string>>;
}

export interface QueryShape {
  kind: "select" | "update" | "delete" | "insert" | "merge" | "other";
  blocks: QueryBlock[];
  /** Columns an UPDATE sets, by table name. */
  updated: { table: TableRef; columns: string[] } | null;
  /** The table an INSERT, UPDATE or DELETE writes. */
  written: TableRef | null;
  /** What each $n is compared with; LIMIT/OFFSET parameters are marked as such. */
  params: Map<number, { use: PredicateUse | null; role: "predicate" | "limit" | "offset" | "value" }>;
}

/** Which table of a FROM list has a given column: lets unqualified columns be attributed. */
export type ColumnResolver = (column: string, tables: TableRef[]) => TableRef | null;

type Node = Record<string, unknown>;

export function queryShape(sql: string, resolve: ColumnResolver): QueryShape | null {
  const tree = tryParseSql(sql);
  const stmt = tree?.stmts?.[0]?.stmt as Node | undefined;
  if (!stmt || tree?.stmts?.length !== 1) return null;
  const shape: QueryShape = { kind: "other", blocks: [], updated: null, written: null, params: new Map() };
  const ctx: Context = { sql, resolve, shape, cteNames: new Set(), referenced: new Map() };
  if (stmt.SelectStmt) {
    shape.kind = "select";
    readSelect(stmt.SelectStmt as Node, ctx, []);
  } else if (stmt.UpdateStmt) {
    shape.kind = "update";
    const u = stmt.UpdateStmt as Node;
    const target = rangeVar(u.relation as Node);
    shape.written = target;
    const block = newBlock([target, ...fromList((u.fromClause as Node[]) ?? [], ctx)]);
    if (u.whereClause) readCondition(u.whereClause as Node, block, ctx, false, []);
    shape.blocks.push(block);
    shape.updated = {
      table: target,
      columns: ((u.targetList as Node[]) ?? []).map((t) => String((t.ResTarget as Node).name)),
    };
    for (const t of (u.targetList as Node[]) ?? []) markValueParams((t.ResTarget as Node).val as Node, ctx);
  } else if (stmt.DeleteStmt) {
    shape.kind = "delete";
    const d = stmt.DeleteStmt as Node;
    shape.written = rangeVar(d.relation as Node);
    const block = newBlock([rangeVar(d.relation as Node), ...fromList((d.usingClause as Node[]) ?? [], ctx)]);
    if (d.whereClause) readCondition(d.whereClause as Node, block, ctx, false, []);
    shape.blocks.push(block);
  } else if (stmt.InsertStmt) {
    shape.kind = "insert";
    const i = stmt.InsertStmt as Node;
    shape.written = rangeVar(i.relation as Node);
    if (i.selectStmt) readSelect((i.selectStmt as Node).SelectStmt as Node, ctx, []);
  } else if (stmt.MergeStmt) {
    shape.kind = "merge";
  }
  for (const block of shape.blocks)
    for (const t of block.tables) block.referenced.set(t.refName, ctx.referenced.get(t) ?? new Set());
  return shape;
}

interface Context {
  sql: string;
  resolve: ColumnResolver;
  shape: QueryShape;
  cteNames: Set<string>;
  /** Columns read, by the table they belong to (correlated subqueries add to their outer tables). */
  referenced: Map<TableRef, Set<string>>;
}

function newBlock(tables: TableRef[]): QueryBlock {
  return {
    tables,
    predicates: [],
    joins: [],
    orderBy: [],
    groupBy: [],
    hasLimit: false,
    selected: new Map(),
    referenced: new Map(),
  };
}

function readSelect(select: Node | undefined, ctx: Context, outer: TableRef[]): void {
  if (!select) return;
  for (const cte of ((select.withClause as Node | undefined)?.ctes as Node[]) ?? []) {
    const c = cte.CommonTableExpr as Node;
    ctx.cteNames.add(String(c.ctename));
    const query = c.ctequery as Node;
    if (query.SelectStmt) readSelect(query.SelectStmt as Node, ctx, outer);
  }
  if (select.larg || select.rarg) {
    readSelect(select.larg as Node, ctx, outer);
    readSelect(select.rarg as Node, ctx, outer);
    return;
  }
  const block = newBlock(fromList((select.fromClause as Node[]) ?? [], ctx));
  const scope = [...block.tables, ...outer];
  for (const item of (select.fromClause as Node[]) ?? []) readJoinQuals(item, block, ctx, scope);
  if (select.whereClause) readCondition(select.whereClause as Node, block, ctx, false, scope);
  for (const s of (select.sortClause as Node[]) ?? []) {
    const sortBy = s.SortBy as Node;
    const use = columnUse(sortBy.node as Node, ctx, scope);
    if (use) block.orderBy.push({ ...use, desc: sortBy.sortby_dir === "SORTBY_DESC" });
  }
  for (const g of (select.groupClause as Node[]) ?? []) {
    const use = columnUse(g, ctx, scope);
    if (use) block.groupBy.push(use);
  }
  if (select.limitCount) {
    block.hasLimit = true;
    markParam(select.limitCount as Node, ctx, "limit");
  }
  if (select.limitOffset) markParam(select.limitOffset as Node, ctx, "offset");
  for (const t of (select.targetList as Node[]) ?? [])
    readTarget((t.ResTarget as Node).val as Node, block, ctx, scope);
  readReferences(select, select, ctx, scope);
  ctx.shape.blocks.push(block);
  // Subqueries in FROM and in expressions are blocks of their own that may see this one's tables.
  visitSubqueries(select, (sub) => readSelect(sub, ctx, scope), select);
}

/** Note every column this block reads; nested SELECTs note their own (their scope includes this block's tables). */
function readReferences(node: unknown, self: Node, ctx: Context, scope: TableRef[]): void {
  if (Array.isArray(node)) {
    for (const item of node) readReferences(item, self, ctx, scope);
    return;
  }
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  if (n.SelectStmt && n.SelectStmt !== self) return;
  const ref = n.ColumnRef as Node | undefined;
  if (ref) {
    const fields = (ref.fields as Node[]) ?? [];
    if (fields.some((f) => f.A_Star)) {
      const qualifier = (fields[0]?.String as Node | undefined)?.sval as string | undefined;
      for (const t of scope.filter((t) => !qualifier || t.refName === qualifier)) note(ctx, t, "*");
      return;
    }
    const use = columnUse(n, ctx, scope);
    if (use) note(ctx, use.table, use.column);
    return;
  }
  for (const [key, value] of Object.entries(n)) {
    if (n === self && key === "withClause") continue;
    readReferences(value, self, ctx, scope);
  }
}

function note(ctx: Context, table: TableRef, column: string): void {
  const set = ctx.referenced.get(table) ?? new Set<string>();
  set.add(column);
  ctx.referenced.set(table, set);
}

function fromList(items: Node[], ctx: Context): TableRef[] {
  const out: TableRef[] = [];
  for (const item of items) {
    if (item.RangeVar && !ctx.cteNames.has(String((item.RangeVar as Node).relname)))
      out.push(rangeVar(item.RangeVar as Node));
    else if (item.JoinExpr) {
      const j = item.JoinExpr as Node;
      out.push(...fromList([j.larg as Node, j.rarg as Node], ctx));
    }
  }
  return out;
}

function rangeVar(rv: Node): TableRef {
  const name = String(rv.relname);
  const alias = (rv.alias as Node | undefined)?.aliasname as string | undefined;
  return { schema: (rv.schemaname as string | undefined) ?? null, name, refName: alias ?? name };
}

function readJoinQuals(item: Node, block: QueryBlock, ctx: Context, scope: TableRef[]): void {
  const j = item.JoinExpr as Node | undefined;
  if (!j) return;
  readJoinQuals(j.larg as Node, block, ctx, scope);
  readJoinQuals(j.rarg as Node, block, ctx, scope);
  if (j.quals) readCondition(j.quals as Node, block, ctx, false, scope);
  for (const name of ((j.usingClause as Node[]) ?? []).map((u) => String((u.String as Node).sval))) {
    const tables = [...fromList([j.larg as Node], ctx), ...fromList([j.rarg as Node], ctx)];
    const left = tables.find((t) => ctx.resolve(name, [t]));
    const right = tables.filter((t) => t !== left).find((t) => ctx.resolve(name, [t]));
    if (left && right)
      block.joins.push([
        { table: left, column: name, isExpression: false },
        { table: right, column: name, isExpression: false },
      ]);
  }
}

function readCondition(
  node: Node,
  block: QueryBlock,
  ctx: Context,
  underOr: boolean,
  scope: TableRef[],
): void {
  const s = scope.length ? scope : block.tables;
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    if (bool.boolop === "NOT_EXPR") return;
    for (const arg of (bool.args as Node[]) ?? [])
      readCondition(arg, block, ctx, underOr || bool.boolop === "OR_EXPR", s);
    return;
  }
  const nullTest = node.NullTest as Node | undefined;
  if (nullTest) {
    const use = columnUse(nullTest.arg as Node, ctx, s);
    const isNull = nullTest.nulltesttype === "IS_NULL";
    if (use) {
      block.predicates.push({
        ...use,
        kind: isNull ? "null" : "not-null",
        operator: isNull ? "IS NULL" : "IS NOT NULL",
        constant: null,
        values: [],
        param: null,
        underOr,
      });
    }
    return;
  }
  const expr = node.A_Expr as Node | undefined;
  if (!expr) return;
  const op = String(((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval ?? "");
  let left = columnUse(expr.lexpr as Node, ctx, s);
  let right = expr.rexpr && !Array.isArray(expr.rexpr) ? columnUse(expr.rexpr as Node, ctx, s) : null;
  let valueNode = expr.rexpr as Node;
  let operator = op;
  if (!left && right) {
    [left, right] = [right, null];
    valueNode = expr.lexpr as Node;
    operator = ({ "<": ">", ">": "<", "<=": ">=", ">=": "<=" } as Record<string, string>)[op] ?? op;
  }
  if (!left) return;
  if (right && op === "=" && expr.kind === "AEXPR_OP") {
    if (left.table !== right.table) block.joins.push([left, right]);
    return;
  }
  const kind = operatorKind(String(expr.kind), operator);
  const use: PredicateUse = {
    ...left,
    kind,
    operator,
    constant: constantText(valueNode),
    values:
      ((valueNode?.List as Node | undefined)?.items as Node[] | undefined)
        ?.map(constantText)
        .filter((v): v is string => v !== null) ?? [],
    param: paramNumber(valueNode),
    underOr,
  };
  block.predicates.push(use);
  // A parameter compared directly with the column (or an item of an IN list) takes a value like the column's;
  // one inside an expression (now() - $2::interval) is of another type, so it stays unbound.
  const listParams =
    ((valueNode?.List as Node | undefined)?.items as Node[] | undefined)?.map(paramNumber) ?? [];
  for (const p of paramsIn(valueNode)) {
    if (!ctx.shape.params.has(p))
      ctx.shape.params.set(p, {
        use: p === use.param || listParams.includes(p) ? use : null,
        role: "predicate",
      });
  }
}

function readTarget(node: Node | undefined, block: QueryBlock, ctx: Context, scope: TableRef[]): void {
  if (!node) return;
  const ref = node.ColumnRef as Node | undefined;
  if (ref) {
    const fields = (ref.fields as Node[]) ?? [];
    if (fields.some((f) => f.A_Star)) {
      const qualifier = (fields[0]?.String as Node | undefined)?.sval as string | undefined;
      for (const t of scope.filter((t) => !qualifier || t.refName === qualifier))
        block.selected.set(t.refName, new Set(["*"]));
      return;
    }
    const use = columnUse(node, ctx, scope);
    if (use && !use.isExpression) {
      const set = block.selected.get(use.table.refName) ?? new Set<string>();
      set.add(use.column);
      block.selected.set(use.table.refName, set);
    }
    return;
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const v of value) readTarget(v as Node, block, ctx, scope);
    else if (value && typeof value === "object" && !("SubLink" in node))
      readTarget(value as Node, block, ctx, scope);
  }
}

/** A column reference (possibly under a cast), or an expression over one table's columns. */
function columnUse(node: Node | undefined, ctx: Context, scope: TableRef[]): ColumnUse | null {
  if (!node) return null;
  if (node.TypeCast) return columnUse((node.TypeCast as Node).arg as Node, ctx, scope);
  const ref = node.ColumnRef as Node | undefined;
  if (ref) {
    const names = ((ref.fields as Node[]) ?? []).map(
      (f) => (f.String as Node | undefined)?.sval as string | undefined,
    );
    if (names.some((n) => n === undefined)) return null;
    const column = names.at(-1) as string;
    const qualifier = names.length > 1 ? (names.at(-2) as string) : null;
    const table = qualifier
      ? scope.find((t) => t.refName === qualifier || t.name === qualifier)
      : ctx.resolve(column, scope);
    return table ? { table, column, isExpression: false } : null;
  }
  if (node.FuncCall || node.A_Expr) {
    const columns: ColumnUse[] = [];
    let params = false;
    walk(node, (n) => {
      if (n.ColumnRef) {
        const use = columnUse(n, ctx, scope);
        if (use) columns.push(use);
      }
      if (n.ParamRef) params = true;
    });
    const table = columns[0]?.table;
    if (!table || params || columns.some((c) => c.table !== table)) return null;
    const text = expressionText(ctx.sql, node);
    return text ? { table, column: text, isExpression: true } : null;
  }
  return null;
}

function expressionText(sql: string, node: Node): string | null {
  const call = node.FuncCall as Node | undefined;
  if (!call) return null;
  // Lexer-aware: a parenthesis inside a quoted column name must not end the call.
  return callTextAt(sql, byteToCharOffset(sql, Number(call.location)));
}

function constantText(node: Node | undefined): string | null {
  if (!node) return null;
  if (node.TypeCast) return constantText((node.TypeCast as Node).arg as Node);
  const c = node.A_Const as Node | undefined;
  if (!c || c.isnull) return null;
  const v = (c.sval ?? c.ival ?? c.fval ?? c.boolval) as Node | undefined;
  const value = v?.sval ?? v?.ival ?? v?.fval ?? v?.boolval;
  return value === undefined ? (c.ival ? "0" : null) : String(value);
}

function paramNumber(node: Node | undefined): number | null {
  if (!node) return null;
  if (node.TypeCast) return paramNumber((node.TypeCast as Node).arg as Node);
  const p = node.ParamRef as Node | undefined;
  return p ? Number(p.number) : null;
}

function paramsIn(node: Node | undefined): number[] {
  const out: number[] = [];
  walk(node, (n) => {
    if (n.ParamRef) out.push(Number((n.ParamRef as Node).number));
  });
  return out;
}

function markParam(node: Node, ctx: Context, role: "limit" | "offset"): void {
  for (const p of paramsIn(node)) ctx.shape.params.set(p, { use: null, role });
}

function markValueParams(node: Node | undefined, ctx: Context): void {
  for (const p of paramsIn(node))
    if (!ctx.shape.params.has(p)) ctx.shape.params.set(p, { use: null, role: "value" });
}

/** Call fn for every SelectStmt nested under `node` (subqueries), except `self`. */
function visitSubqueries(node: unknown, fn: (select: Node) => void, self: Node): void {
  if (Array.isArray(node)) {
    for (const item of node) visitSubqueries(item, fn, self);
    return;
  }
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  if (n.SelectStmt && n.SelectStmt !== self) {
    fn(n.SelectStmt as Node);
    return;
  }
  for (const [key, value] of Object.entries(n)) {
    if (n === self && key === "withClause") continue; // CTEs were read already
    visitSubqueries(value, fn, self);
  }
}

function walk(node: unknown, fn: (n: Node) => void): void {
  if (Array.isArray(node)) for (const item of node) walk(item, fn);
  else if (node && typeof node === "object") {
    fn(node as Node);
    for (const value of Object.values(node)) walk(value, fn);
  }
}
