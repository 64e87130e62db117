/**
 * Fixes that reuse the user's own statement (adding CONCURRENTLY, NOT VALID, a constraint name) edit it at token
 * positions from PostgreSQL's lexer and parse tree, never by matching the raw text: the user's quoting stays as
 * written, and a name that looks like a keyword or holds a semicolon cannot be mistaken for one. Names that a fix
 * writes itself come from the parse tree (as the parser decoded them) and are quoted again by util/sql-text.
 */
import { listParts, relationParts } from "../../facts/migration/lock-model.js";
import type { MigrationStatement } from "../../facts/migration/migration-set.js";
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";
import { ident, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";

type Node = Record<string, unknown>;

export interface Token {
  /** Character offsets in st.sql. */
  start: number;
  end: number;
  text: string;
  /** The keyword in upper case, or null for names, literals and punctuation. */
  keyword: string | null;
}

const tokenCache = new WeakMap<MigrationStatement, Token[]>();

/** The statement's tokens without comments, at character offsets of st.sql. */
export function statementTokens(st: MigrationStatement): Token[] {
  const cached = tokenCache.get(st);
  if (cached) return cached;
  const chars = charOffsets(st.sql);
  const tokens = scanSql(st.sql)
    .tokens.filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT")
    .map((t) => ({
      start: chars(t.start),
      end: chars(t.end),
      text: t.text,
      keyword: t.keywordKind > 0 ? t.text.toUpperCase() : null,
    }));
  tokenCache.set(st, tokens);
  return tokens;
}

/** Byte offset in a string → character offset, for the lexer's and the parser's positions. */
function charOffsets(text: string): (byte: number) => number {
  if (Buffer.byteLength(text, "utf8") === text.length) return (byte) => byte;
  return (byte) => byteToCharOffset(text, byte);
}

/** A parse-tree location (a byte offset into the file) as a character offset into st.sql. */
export function nodeOffset(st: MigrationStatement, location: unknown): number | null {
  if (typeof location !== "number" || location < st.byteStart) return null;
  return charOffsets(st.sql)(location - st.byteStart);
}

/** The statement as written, up to its last token (no trailing comment a `;` could fall into), ending in `;`. */
export function ownStatement(st: MigrationStatement): SqlText {
  return edit(st, []);
}

/**
 * The statement with text inserted at character offsets (each insertion is dbopt's SQL: a keyword, or a name
 * built by ident), cut after its last token and ended with `;`.
 */
export function edit(
  st: MigrationStatement,
  inserts: Array<{ at: number; text: SqlText; to?: number }>,
): SqlText {
  const tokens = statementTokens(st);
  const last = tokens.filter((t) => t.text !== ";").at(-1);
  let text = st.sql.slice(0, last?.end ?? st.sql.length);
  // From the end backwards, so earlier offsets stay right; `to` replaces the text from `at` up to it.
  for (const { at, text: add, to } of [...inserts].sort((a, b) => b.at - a.at))
    text = `${text.slice(0, at)}${add}${text.slice(to ?? at)}`;
  return sqlFrom("statement", `${text};`);
}

/** The text of the statement between two character offsets (a clause of the user's own SQL). */
export function slice(st: MigrationStatement, from: number, to: number): SqlText {
  return sqlFrom("statement", st.sql.slice(from, to));
}

/**
 * Where a column constraint written inside ADD COLUMN ends: before the next column constraint at its depth
 * (NOT NULL, DEFAULT, UNIQUE, REFERENCES ...), a comma, or the statement's end. DEFERRABLE, INITIALLY, ON DELETE
 * SET NULL and NULLS NOT DISTINCT stay with the constraint they qualify.
 */
export function columnConstraintEnd(st: MigrationStatement, from: number): number {
  const tokens = statementTokens(st).filter((t) => t.start >= from);
  // "CONSTRAINT name KIND" is one constraint: start looking for the next one after its kind.
  const skip = tokens[0]?.keyword === "CONSTRAINT" ? 3 : 1;
  let depth = 0;
  let end = tokens[Math.min(skip, tokens.length) - 1]?.end ?? from;
  for (let i = skip; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const previous = tokens[i - 1]?.keyword;
    if (t.text === "(") depth++;
    else if (t.text === ")") {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0) {
      if (t.text === "," || t.text === ";") break;
      const kw = t.keyword ?? "";
      const next = tokens[i + 1]?.keyword;
      const starts =
        (COLUMN_CONSTRAINT_START.has(kw) && !(previous === "SET" && (kw === "NULL" || kw === "DEFAULT"))) ||
        (kw === "NOT" && next === "NULL");
      if (starts) break;
    }
    end = t.end;
  }
  return end;
}

const COLUMN_CONSTRAINT_START = new Set([
  "CONSTRAINT",
  "NULL",
  "DEFAULT",
  "PRIMARY",
  "UNIQUE",
  "CHECK",
  "REFERENCES",
  "GENERATED",
  "COLLATE",
]);

/** The first token that is the keyword, from a character offset on. */
export function keywordAt(st: MigrationStatement, keyword: string, from = 0): Token | null {
  return statementTokens(st).find((t) => t.start >= from && t.keyword === keyword) ?? null;
}

/**
 * Where the clause that starts at `from` ends: the end of its last token before a comma or a closing parenthesis
 * at its own depth, or before the statement's end. For inserting NOT VALID after an ADD CONSTRAINT.
 */
export function clauseEnd(st: MigrationStatement, from: number): number {
  let depth = 0;
  let end = from;
  for (const t of statementTokens(st)) {
    if (t.start < from) continue;
    if (t.text === "(") depth++;
    else if (t.text === ")") {
      if (depth === 0) break;
      depth--;
    } else if ((t.text === "," || t.text === ";") && depth === 0) break;
    end = t.end;
  }
  return end;
}

/** The source text of a column's type (from its TypeName location to the first column-constraint keyword). */
export function typeSource(st: MigrationStatement, typeName: Node | undefined): SqlText | null {
  const from = nodeOffset(st, typeName?.location);
  if (from === null) return null;
  let depth = 0;
  let end = from;
  for (const t of statementTokens(st)) {
    if (t.start < from) continue;
    if (t.text === "(" || t.text === "[") depth++;
    else if (t.text === ")" || t.text === "]") {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t.text === "," || t.text === ";" || ENDS_TYPE.has(t.keyword ?? ""))) break;
    end = t.end;
  }
  return end > from ? sqlFrom("statement", st.sql.slice(from, end)) : null;
}

/** Keywords that end a column's type in a column definition. */
const ENDS_TYPE = new Set([
  "NOT",
  "NULL",
  "DEFAULT",
  "CONSTRAINT",
  "PRIMARY",
  "UNIQUE",
  "CHECK",
  "REFERENCES",
  "GENERATED",
  "COLLATE",
  "COMPRESSION",
  "STORAGE",
  "DEFERRABLE",
  "INITIALLY",
]);

/** A table (RangeVar) as SQL: schema and name from the parse tree, quoted. */
export function relationSql(rel: unknown): SqlText | null {
  const parts = relationParts(rel);
  return parts ? qname(parts.schema, parts.name) : null;
}

/** A dotted name from a DROP's object list (schema.index), quoted. */
export function listSql(o: Node): SqlText | null {
  const parts = listParts(o);
  const name = parts.at(-1);
  if (name === undefined) return null;
  return parts.length > 1 ? sql`${ident(parts.at(-2) ?? "")}.${ident(name)}` : ident(name);
}

/** The String nodes of a list (column names, type names) as the parser decoded them. */
export function names(list: unknown): string[] {
  return ((list as Node[]) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? ""));
}
