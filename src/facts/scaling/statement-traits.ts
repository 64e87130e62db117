/**
 * What a statement means for a pooler and a replica, read from its libpg-query tree: whether it only reads (and
 * could run on a standby), and which session state it leaves behind that a transaction-mode pooler would hand to
 * the next client (SET, LISTEN, session advisory locks, SQL-level PREPARE, temporary tables, cursors WITH HOLD).
 */
import { tryParseSql } from "../../util/sql-parser.js";

type Node = Record<string, unknown>;

export type SessionFeature =
  | "set"
  | "listen"
  | "advisory-lock"
  | "prepare"
  | "temp-table"
  | "cursor-with-hold"
  | "load";

export interface StatementTraits {
  /** read: a SELECT (or VALUES/TABLE) that writes nothing and takes no row locks; write: changes data or locks rows. */
  kind: "read" | "write" | "utility" | "unknown";
  /** Session state the statement leaves for the next transaction on the same connection. */
  sessionFeatures: SessionFeature[];
  /** Functions the statement calls, as written ("name" or "schema.name", lower case): a read calling a volatile
   * one outside pg_catalog may write (functionVolatility tells). */
  functions: string[];
  /** A read that cannot run on a standby (nextval, txid_current, pg_notify…), with the reason. */
  primaryOnly: string | null;
  /** Tables the statement names ("schema.table" when qualified, else "table"; lower case as PostgreSQL folds). */
  tables: string[];
  /** Tables it writes (INSERT/UPDATE/DELETE/MERGE targets, SELECT … FOR UPDATE's). */
  writes: string[];
  /** What makes its result depend on the time it runs (now(), CURRENT_DATE…), else null: a cache would keep it. */
  clock: string | null;
}

/** Built-in functions that write or need a transaction id: a statement calling them cannot go to a standby. */
const PRIMARY_ONLY = new Set([
  "nextval",
  "setval",
  "txid_current",
  "pg_current_xact_id",
  "pg_notify",
  "lo_create",
  "lo_import",
  "lo_unlink",
  "pg_switch_wal",
  "pg_create_restore_point",
]);
/** STABLE functions whose result moves with the clock (VOLATILE ones are found in pg_proc). */
const CLOCK = new Set([
  "now",
  "statement_timestamp",
  "transaction_timestamp",
  "clock_timestamp",
  "timeofday",
]);
const WRITES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);
/** Advisory locks held past the transaction (the _xact_ variants end with it). */
const SESSION_LOCKS = new Set([
  "pg_advisory_lock",
  "pg_advisory_lock_shared",
  "pg_try_advisory_lock",
  "pg_try_advisory_lock_shared",
]);

export function statementTraits(sql: string): StatementTraits {
  const tree = tryParseSql(sql);
  const stmts = tree?.stmts ?? [];
  if (stmts.length === 0)
    return {
      kind: "unknown",
      sessionFeatures: [],
      functions: [],
      primaryOnly: null,
      tables: [],
      writes: [],
      clock: null,
    };
  const features = new Set<SessionFeature>();
  const functions = new Set<string>();
  let primaryOnly: string | null = null;
  let clock: string | null = null;
  let kind: StatementTraits["kind"] = "read";
  const tables = new Set<string>();
  const writes = new Set<string>();
  for (const { stmt } of stmts as Array<{ stmt: Node }>) {
    const [type, body] = Object.entries(stmt)[0] as [string, Node];
    const ctes = new Set<string>();
    walkNodes(stmt, (key, node) => {
      if (key === "RangeVar") tables.add(relationName(node as Node));
      if (key === "SQLValueFunction") {
        const op = String((node as Node).op ?? "");
        if (/DATE|TIME/.test(op)) clock ??= op.replace(/^SVFOP_/, "").toLowerCase();
      }
      if (key === "CommonTableExpr") ctes.add(String((node as Node).ctename ?? ""));
      if (WRITES.has(key)) {
        const target = (node as Node).relation as Node | undefined;
        if (target) writes.add(relationName(target));
      }
    });
    for (const cte of ctes) tables.delete(cte);
    for (const w of writes) tables.add(w);
    const own = statementKind(type, body, features);
    if (own === "write" || (own === "utility" && kind === "read") || own === "unknown") kind = own;
    for (const call of funcCalls(body)) {
      const { schema, name } = call;
      if (schema === null || schema === "pg_catalog") {
        if (SESSION_LOCKS.has(name)) features.add("advisory-lock");
        if (name === "set_config" && !call.localArg) features.add("set");
        if (PRIMARY_ONLY.has(name)) primaryOnly ??= `calls ${name}()`;
        if (CLOCK.has(name)) clock ??= `${name}()`;
      }
      functions.add(schema === null ? name : `${schema.toLowerCase()}.${name}`);
    }
  }
  if (kind === "read" && primaryOnly) kind = "write";
  // A locking SELECT writes (locks) the rows of the tables it reads.
  if (kind === "write" && writes.size === 0) for (const t of tables) writes.add(t);
  return {
    kind,
    sessionFeatures: [...features].sort(),
    functions: [...functions].sort(),
    primaryOnly,
    tables: [...tables].sort(),
    writes: [...writes].sort(),
    clock,
  };
}

function relationName(rangeVar: Node): string {
  const name = String(rangeVar.relname ?? "");
  return rangeVar.schemaname ? `${String(rangeVar.schemaname)}.${name}` : name;
}

function statementKind(type: string, body: Node, features: Set<SessionFeature>): StatementTraits["kind"] {
  switch (type) {
    case "SelectStmt": {
      if (selectLocksOrWrites(body)) return "write";
      if (body.intoClause) {
        const rel = (body.intoClause as Node).rel as Node | undefined;
        if (rel?.relpersistence === "t") features.add("temp-table");
        return "write";
      }
      return "read";
    }
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt":
      return "write";
    case "VariableSetStmt":
      if (!body.is_local && body.kind !== "VAR_SET_MULTI") features.add("set");
      return "utility";
    case "VariableShowStmt":
      return "utility";
    case "ListenStmt":
      features.add("listen");
      return "utility";
    case "UnlistenStmt":
      return "utility";
    case "PrepareStmt":
    case "ExecuteStmt":
    case "DeallocateStmt":
      features.add("prepare");
      return "utility";
    case "CreateStmt": {
      const rel = body.relation as Node | undefined;
      if (rel?.relpersistence === "t" && body.oncommit !== "ONCOMMIT_DROP") features.add("temp-table");
      return "write";
    }
    case "DeclareCursorStmt": {
      // CURSOR_OPT_HOLD is 0x0020 in parsenodes.h.
      if ((Number(body.options ?? 0) & 0x20) !== 0) features.add("cursor-with-hold");
      return "utility";
    }
    case "LoadStmt":
      features.add("load");
      return "utility";
    case "TransactionStmt":
    case "ExplainStmt":
      return "utility";
    default:
      return "unknown";
  }
}

/** FOR UPDATE/SHARE anywhere, or a data-modifying WITH. */
function selectLocksOrWrites(select: Node): boolean {
  let found = false;
  walkNodes(select, (key, node) => {
    if (key === "lockingClause" && Array.isArray(node) && node.length > 0) found = true;
    if (key === "InsertStmt" || key === "UpdateStmt" || key === "DeleteStmt" || key === "MergeStmt")
      found = true;
  });
  return found;
}

interface Call {
  schema: string | null;
  name: string;
  /** set_config's third argument is a true constant (local to the transaction). */
  localArg: boolean;
}

function funcCalls(root: Node): Call[] {
  const calls: Call[] = [];
  walkNodes(root, (key, node) => {
    if (key !== "FuncCall") return;
    const call = node as Node;
    const names = ((call.funcname as Node[] | undefined) ?? []).map((n) =>
      String((n.String as Node | undefined)?.sval ?? ""),
    );
    const name = (names.at(-1) ?? "").toLowerCase();
    const schema = names.length > 1 ? (names.at(-2) as string) : null;
    const third = (call.args as Node[] | undefined)?.[2];
    const localArg = Boolean(((third?.A_Const as Node | undefined)?.boolval as Node | undefined)?.boolval);
    calls.push({ schema, name, localArg });
  });
  return calls;
}

/** Every (key, value) pair under root, without recursion. */
function walkNodes(root: unknown, visit: (key: string, node: unknown) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) for (const v of value) stack.push(v);
    else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value as Node)) {
        visit(k, v);
        if (v !== null && typeof v === "object") stack.push(v);
      }
  }
}
