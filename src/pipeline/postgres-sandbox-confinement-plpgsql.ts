/**
 * What a PL/pgSQL body (a DO block, or a function or procedure that a migration creates and may call) could run,
 * for the sandbox confinement: every SQL expression and statement written in it, and the text of each EXECUTE
 * (also FOR ... IN EXECUTE, OPEN ... FOR EXECUTE, RETURN QUERY EXECUTE). A constant text is read like the rest; a
 * text built at run time (format(), a variable, a concatenation with one) cannot be known before it runs.
 */
import { walkObjectTree } from "../util/object-tree-walk.js";
import { parsePlpgsql, tryParseSql } from "../util/sql-parser.js";

type Node = Record<string, unknown>;

/** Statements that run the text of an expression: the key of that expression in each. */
const DYNAMIC_QUERY: Record<string, string> = {
  PLpgSQL_stmt_dynexecute: "query",
  PLpgSQL_stmt_dynfors: "query",
  PLpgSQL_stmt_open: "dynquery",
  PLpgSQL_stmt_return_query: "dynquery",
};

export interface BodyVisitor {
  /** Each piece of SQL written in the body, as text that parses on its own (an expression becomes SELECT expr). */
  sql: (text: string) => void;
  /** An EXECUTE whose text is only known at run time. */
  dynamic: () => void;
}

/**
 * Walks a PL/pgSQL body given as its DO or CREATE FUNCTION statement. Returns false when PL/pgSQL's parser does
 * not read it: the caller then falls back on what the body's text shows.
 */
export function visitPlpgsqlBody(statementText: string, visit: BodyVisitor): boolean {
  let tree: unknown;
  try {
    tree = parsePlpgsql(statementText);
  } catch {
    return false;
  }
  walkObjectTree(tree, (value) => {
    const node = value as Node;
    const expr = node.PLpgSQL_expr as Node | undefined;
    if (expr && typeof expr.query === "string") {
      const sql = expressionSql(expr.query, Number(expr.parseMode ?? 0));
      if (sql !== null) visit.sql(sql);
      return "skip";
    }
    for (const [kind, key] of Object.entries(DYNAMIC_QUERY)) {
      const query = ((node[kind] as Node | undefined)?.[key] as Node | undefined)?.PLpgSQL_expr as
        | Node
        | undefined;
      if (typeof query?.query !== "string") continue;
      const constant = constantText(query.query);
      if (constant === null) visit.dynamic();
      else visit.sql(constant);
    }
    return undefined;
  });
  return true;
}

/**
 * An expression's text as a statement. PL/pgSQL's parse modes (PostgreSQL's RawParseMode): 0 a whole statement,
 * 1 a type name (no SQL), 2 an expression, 3-5 an assignment `target := expression`.
 */
function expressionSql(query: string, parseMode: number): string | null {
  if (parseMode === 0) return query;
  if (parseMode === 1) return null;
  if (parseMode === 2) return `SELECT ${query}`;
  const assigned = /^[^:=]*:?=/.exec(query);
  return `SELECT ${assigned ? query.slice(assigned[0].length) : query}`;
}

/** The text of a constant expression ('…', '…' || '…', '…'::text), or null when it is built at run time. */
function constantText(expression: string): string | null {
  const statement = tryParseSql(`SELECT ${expression}`)?.stmts?.[0]?.stmt as Node | undefined;
  const targets = (statement?.SelectStmt as Node | undefined)?.targetList as Node[] | undefined;
  if (targets?.length !== 1) return null;
  return constantOf((targets[0]?.ResTarget as Node | undefined)?.val as Node | undefined);
}

function constantOf(node: Node | undefined): string | null {
  if (!node) return null;
  const value = ((node.A_Const as Node | undefined)?.sval as Node | undefined)?.sval;
  if (typeof value === "string") return value;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return constantOf(cast.arg as Node | undefined);
  const op = node.A_Expr as Node | undefined;
  const name = ((op?.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
  if (op && name === "||") {
    const left = constantOf(op.lexpr as Node | undefined);
    const right = constantOf(op.rexpr as Node | undefined);
    return left === null || right === null ? null : left + right;
  }
  return null;
}
