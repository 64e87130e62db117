import { InputError } from "../../util/input-error.js";
import { parseSql, SqlError, tryParseSql } from "../../util/sql-parser.js";

export interface StatementInfo {
  /** Parse-tree node name: SelectStmt, InsertStmt, ... */
  type: string;
  /** Changes data when run (INSERT/UPDATE/DELETE/MERGE, a data-modifying CTE, SELECT ... FOR UPDATE). */
  writes: boolean;
  /** Highest $n parameter used, 0 when none. */
  parameters: number;
}

const EXPLAINABLE = new Set(["SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);
const WRITES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);

/** Check that the text is exactly one statement EXPLAIN can run, and say what kind it is. */
export function explainableStatement(sql: string): StatementInfo {
  let tree: ReturnType<typeof parseSql>;
  try {
    tree = parseSql(sql);
  } catch (error) {
    const detail = error instanceof SqlError ? error.sqlDetails : undefined;
    const at = detail?.cursorPosition ? ` at character ${detail.cursorPosition}` : "";
    throw new InputError(
      `the SQL does not parse${at}: ${error instanceof Error ? error.message : String(error)}`,
      "check the statement in psql first; dbopt uses PostgreSQL's own parser",
    );
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) {
    throw new InputError(
      `expected one statement, found ${statements.length}`,
      "pass a single SELECT, INSERT, UPDATE, DELETE or MERGE",
    );
  }
  const stmt = (statements[0]?.stmt ?? {}) as Record<string, unknown>;
  const type = Object.keys(stmt)[0] ?? "";
  if (type === "ExplainStmt") {
    throw new InputError(
      "the SQL is already an EXPLAIN",
      "pass the statement itself; dbopt adds EXPLAIN and its options",
    );
  }
  if (!EXPLAINABLE.has(type)) {
    throw new InputError(
      `${type.replace(/Stmt$/, "").toUpperCase() || "this statement"} cannot be explained`,
      "EXPLAIN works on SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES",
    );
  }
  let writes = WRITES.has(type);
  let parameters = 0;
  visit(stmt, (node) => {
    for (const key of ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]) if (node[key]) writes = true;
    const lock = node.LockingClause as Record<string, unknown> | undefined;
    if (lock) writes = true;
    const param = node.ParamRef as { number?: number } | undefined;
    if (param?.number) parameters = Math.max(parameters, param.number);
  });
  return { type, writes, parameters };
}

/** True when the text parses as SQL (used to tell a .sql file from a plan). */
export function looksLikeSql(text: string): boolean {
  // Blank text and lone comments parse to no statement: they are no SQL either.
  return (tryParseSql(text)?.stmts?.length ?? 0) > 0;
}

function visit(node: unknown, fn: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) for (const item of node) visit(item, fn);
  else if (node && typeof node === "object") {
    fn(node as Record<string, unknown>);
    for (const value of Object.values(node)) visit(value, fn);
  }
}
