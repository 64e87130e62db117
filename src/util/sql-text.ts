import { quoteIdent, quoteLiteral } from "./sql-identifiers.js";
import { scanSql, tryParseSqlError } from "./sql-parser.js";

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
