import { quoteIdent, quoteLiteral } from "./sql-identifiers.js";
import { scanSql, tryParseSql, tryParseSqlError } from "./sql-parser.js";

declare const sqlTextBrand: unique symbol;

/**
 * SQL that dbopt prints or runs. Only the functions of this module make one, so every name in it went
 * through quoteIdent and every string through quoteLiteral: a table called `t; DROP TABLE x` stays one name.
 */
export type SqlText = string & { readonly [sqlTextBrand]: true };

/** What may stand in a `sql` template: built SQL, or a finite number. Plain strings are refused by the type. */
export type SqlValue = SqlText | number | bigint;

/**
 * Build SQL from a template whose values are already SQL: `sql\`ANALYZE ${qname(schema, table)}\``.
 * The template's own text is dbopt's (keywords, punctuation); anything from a database, a plan, a log or a
 * migration must come in through ident, qname, literal or list.
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlText {
  let text = strings[0] ?? "";
  values.forEach((value, i) => {
    text += sqlValue(value) + (strings[i + 1] ?? "");
  });
  return text as SqlText;
}

function sqlValue(value: SqlValue): string {
  if (typeof value === "number") {
    // NaN or Infinity would print as a word PostgreSQL reads as a column name.
    if (!Number.isFinite(value)) throw new Error(`not a finite number for SQL: ${value}`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "string") throw new Error(`not SQL text: ${typeof value}`);
  return value;
}

/** An identifier, quoted where PostgreSQL needs it. */
export function ident(name: string): SqlText {
  return quoteIdent(name) as SqlText;
}

/** schema.name, both quoted; "public" is left out as people write it. */
export function qname(schema: string | null | undefined, name: string): SqlText {
  return (
    schema && schema !== "public" ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name)
  ) as SqlText;
}

/**
 * schema.name, both quoted, "public" included: for a statement that creates an object, which an unqualified name
 * would put in the first schema of the search_path (qname leaves "public" out).
 */
export function schemaQualified(schema: string, name: string): SqlText {
  return `${quoteIdent(schema)}.${quoteIdent(name)}` as SqlText;
}

/** A string constant. */
export function literal(value: string): SqlText {
  return quoteLiteral(value) as SqlText;
}

/** Parts joined by a separator that is dbopt's own text (", ", " AND ", a newline). */
export function list(parts: readonly SqlText[], separator = ", "): SqlText {
  return parts.join(separator) as SqlText;
}

/**
 * Text that is SQL already and came from a source that holds SQL, never from a name: a statement from the
 * user's migration or workload, an expression the server printed (pg_get_indexdef, pg_get_expr), a keyword
 * chosen from dbopt's own list. Each caller says where its text came from.
 */
export function sqlFrom(_source: "statement" | "server" | "dbopt", text: string): SqlText {
  return text as SqlText;
}

/** A problem found when SQL dbopt built is parsed back: a bug in dbopt, never shown to the user as SQL. */
export class UnparsableSqlError extends Error {
  readonly sql: string;

  constructor(sqlText: string, reason: string) {
    super(`dbopt built SQL that does not parse (${reason}): ${sqlText.slice(0, 200)}`);
    this.name = "UnparsableSqlError";
    this.sql = sqlText;
  }
}

/**
 * Parse SQL back with PostgreSQL's own parser before it is shown or run, and count its statements so a
 * name that escaped its quotes (one statement becoming two) is caught even when both halves parse.
 */
export function checkSql(text: string, expectedStatements?: number): SqlText {
  const result = tryParseSqlError(text);
  if (typeof result === "string") throw new UnparsableSqlError(text, result);
  // PostgreSQL reads "…" as a name, so a placeholder left in a recipe would parse: refuse it here.
  const placeholder = scanSql(text).tokens.find((t) => t.tokenName === "IDENT" && t.text.includes("…"));
  if (placeholder) throw new UnparsableSqlError(text, `placeholder ${placeholder.text} where SQL belongs`);
  if (expectedStatements !== undefined && result !== expectedStatements) {
    throw new UnparsableSqlError(text, `${result} statements where ${expectedStatements} were built`);
  }
  return text as SqlText;
}

/**
 * A `-- comment` line. Its text may hold names from the database: a line break in one would end the comment
 * and turn the rest of the name into SQL, so breaks become spaces.
 */
export function comment(text: string): SqlText {
  return `-- ${text.replace(/[\r\n]+/g, " ")}` as SqlText;
}

/** Statements, one a line; the parts that are absent (null, undefined, "") are left out. */
export function lines(parts: ReadonlyArray<SqlText | null | undefined | false>): SqlText {
  return parts.filter((p): p is SqlText => Boolean(p)).join("\n") as SqlText;
}

type ParseNode = Record<string, unknown>;

/**
 * An expression from a plan or a statement (`lower((c.email)::text)`) as it may stand in an index on its
 * table: column references lose their table or alias qualifier, which means nothing inside CREATE INDEX.
 * Null when the text is not one expression over columns, or holds what an index expression cannot
 * (a parameter, a subquery, an aggregate, a whole-row or `*` reference).
 */
export function indexExpression(text: string): SqlText | null {
  const select = `SELECT ${text}`;
  const tree = tryParseSql(select);
  const stmt = tree?.stmts?.length === 1 ? (tree.stmts[0]?.stmt as ParseNode | undefined) : undefined;
  const target = (stmt?.SelectStmt as ParseNode | undefined)?.targetList as ParseNode[] | undefined;
  const expr = ((target?.[0]?.ResTarget as ParseNode | undefined)?.val ?? null) as ParseNode | null;
  if (
    !expr ||
    target?.length !== 1 ||
    Object.keys(stmt?.SelectStmt as ParseNode).some(
      (k) => k !== "targetList" && k !== "limitOption" && k !== "op",
    )
  )
    return null;
  const cuts: Array<{ from: number; dots: number }> = [];
  let refused = false;
  let columns = 0;
  visitNodes(expr, (node) => {
    if (node.ParamRef || node.SubLink || node.A_Star) refused = true;
    const call = node.FuncCall as ParseNode | undefined;
    if (call?.agg_star || call?.agg_distinct || call?.over || call?.agg_filter || call?.agg_order)
      refused = true;
    const ref = node.ColumnRef as ParseNode | undefined;
    if (!ref) return;
    const fields = (ref.fields as ParseNode[] | undefined) ?? [];
    if (fields.some((f) => !f.String)) refused = true;
    columns++;
    if (fields.length > 1) cuts.push({ from: Number(ref.location ?? -1), dots: fields.length - 1 });
  });
  if (refused || columns === 0) return null;
  // Drop the qualifier tokens (`c` `.`) in front of each qualified column, by byte position.
  const tokens = scanSql(select).tokens;
  const drop = new Set<number>();
  for (const cut of cuts) {
    let at = tokens.findIndex((t) => t.start === cut.from);
    if (at < 0) return null;
    for (let dots = 0; dots < cut.dots && at < tokens.length; at++) {
      drop.add(at);
      if (tokens[at]?.text === ".") dots++;
    }
  }
  const bytes = Buffer.from(select, "utf8");
  let out = "";
  let from = "SELECT ".length;
  tokens.forEach((t, i) => {
    if (t.start < "SELECT ".length || !drop.has(i)) return;
    out += bytes.subarray(from, t.start).toString("utf8");
    from = t.end;
  });
  out += bytes.subarray(from).toString("utf8");
  const result = out.trim();
  return tryParseSql(`SELECT ${result}`) ? (result as SqlText) : null;
}

function visitNodes(node: unknown, visit: (node: ParseNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitNodes(item, visit);
    return;
  }
  if (!node || typeof node !== "object") return;
  visit(node as ParseNode);
  for (const value of Object.values(node as ParseNode)) visitNodes(value, visit);
}

/**
 * The text of a call starting at character `start` (`lower(x)`), through the parenthesis that closes its
 * first one. Read with the lexer, so a parenthesis inside a quoted name or a string (`"x')"`) does not count.
 */
export function callTextAt(text: string, start: number): string | null {
  const bytes = Buffer.from(text, "utf8");
  const from = Buffer.byteLength(text.slice(0, start), "utf8");
  let depth = 0;
  for (const t of scanSql(text).tokens) {
    if (t.start < from) continue;
    if (t.text === "(") depth++;
    else if (t.text === ")" && --depth === 0) return bytes.subarray(from, t.end).toString("utf8");
  }
  return null;
}

/** A MySQL/MariaDB identifier: always in backticks, a backtick in the name doubled (the MySQL dialect). */
export function mysqlIdent(name: string): SqlText {
  return `\`${name.replace(/`/g, "``")}\`` as SqlText;
}

/** schema.name for MySQL/MariaDB, both in backticks. */
export function mysqlQname(schema: string | null | undefined, name: string): SqlText {
  return (schema ? `${mysqlIdent(schema)}.${mysqlIdent(name)}` : mysqlIdent(name)) as SqlText;
}
