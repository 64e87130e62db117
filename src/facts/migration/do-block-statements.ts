/**
 * The SQL statements inside a DO block's PL/pgSQL body, as PostgreSQL's PL/pgSQL parser finds them (libpg-query):
 * migrations often wrap DDL in DO $$ BEGIN IF NOT EXISTS (...) THEN ALTER TABLE ...; END IF; END $$ to make it
 * re-runnable, and what runs inside takes the same locks as on its own. Dynamic EXECUTE strings are not read.
 */
import { parsePlpgsql } from "../../util/sql-parser.js";

type Node = Record<string, unknown>;

export interface InnerStatement {
  sql: string;
  /** Offset of `sql` in the DO statement's text, or null when the parser's text is not found verbatim there. */
  offset: number | null;
  /** 1-based line within the body (the line the body starts on is 1). */
  bodyLine: number;
}

/** null: not a PL/pgSQL DO block, or one its parser refuses (PostgreSQL would refuse it too). */
export function doBlockStatements(doSql: string, doStmt: Node): InnerStatement[] | null {
  const args = ((doStmt.args as Node[]) ?? []).map((a) => a.DefElem as Node);
  const language = args.find((a) => a.defname === "language");
  const languageName = ((language?.arg as Node | undefined)?.String as Node | undefined)?.sval;
  if (languageName !== undefined && String(languageName).toLowerCase() !== "plpgsql") return null;
  let tree: unknown;
  try {
    tree = parsePlpgsql(doSql);
  } catch {
    return null;
  }
  const found: Array<{ sql: string; bodyLine: number }> = [];
  // Walk the tree with an explicit stack, in document order: statements sit in blocks, IF/ELSIF/ELSE, loops,
  // CASE arms and exception handlers at any depth.
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    if (!value || typeof value !== "object") continue;
    const node = value as Node;
    const exec = node.PLpgSQL_stmt_execsql as Node | undefined;
    if (exec) {
      const query = ((exec.sqlstmt as Node | undefined)?.PLpgSQL_expr as Node | undefined)?.query;
      if (typeof query === "string") found.push({ sql: query.trim(), bodyLine: Number(exec.lineno ?? 1) });
      continue;
    }
    const children = Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  let cursor = 0;
  return found.map(({ sql, bodyLine }) => {
    const at = doSql.indexOf(sql, cursor);
    if (at >= 0) cursor = at + sql.length;
    return { sql, offset: at >= 0 ? at : null, bodyLine };
  });
}
