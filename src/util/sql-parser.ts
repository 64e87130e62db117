import {
  fingerprintSync,
  loadModule,
  type ParseResult,
  parsePlPgSQLSync,
  parseSync,
  type ScanResult,
  SqlError,
  scanSync,
} from "libpg-query";

let loading: Promise<void> | null = null;
let loaded = false;

/** Load the PostgreSQL parser (WebAssembly) once; every entry point awaits this before parsing. */
export async function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  await loading;
}

/** Whether the parser is loaded (synchronous callers that can fall back to a text scan ask first). */
export function sqlParserLoaded(): boolean {
  return loaded;
}

function ensureLoaded(): void {
  if (!loaded) throw new Error("the SQL parser is not loaded: await loadSqlParser() first");
}

/** Parse a PL/pgSQL body (CREATE FUNCTION ... LANGUAGE plpgsql, or DO) into its statement tree. Throws on invalid input. */
export function parsePlpgsql(sql: string): unknown {
  ensureLoaded();
  return parsePlPgSQLSync(sql);
}

/** Parse with the real PostgreSQL 18 parser. Throws SqlError on invalid SQL. */
export function parseSql(sql: string): ParseResult {
  ensureLoaded();
  // libpg-query refuses "" with a plain Error, while "  " parses to no statements: an empty file reads as blank.
  return parseSync(sql === "" ? " " : sql);
}

/** Parse, or null when the text is not valid SQL. */
export function tryParseSql(sql: string): ParseResult | null {
  ensureLoaded();
  try {
    return parseSql(sql);
  } catch (error) {
    if (error instanceof SqlError || (error instanceof Error && /syntax|parse/i.test(error.message)))
      return null;
    throw error;
  }
}

/** The number of statements in the text, or the parser's message when it is not valid SQL. */
export function tryParseSqlError(sql: string): number | string {
  ensureLoaded();
  try {
    return parseSql(sql).stmts?.length ?? 0;
  } catch (error) {
    if (error instanceof SqlError || (error instanceof Error && /syntax|parse/i.test(error.message)))
      return error.message;
    throw error;
  }
}

/** The lexer's tokens, with their byte positions. */
export function scanSql(sql: string): ScanResult {
  ensureLoaded();
  return scanSync(sql);
}

export function fingerprintSql(sql: string): string {
  ensureLoaded();
  // libpg-query returns its error text ("Invalid input: query cannot be null or empty") for "" instead of
  // throwing. An empty query string is real (JDBC's isValid() sends one, logged as "statement: "): it is the
  // empty statement, whose fingerprint " " gives.
  const fingerprint = fingerprintSync(sql === "" ? " " : sql);
  if (!/^[0-9a-f]+$/.test(fingerprint)) throw new Error(`libpg-query gave no fingerprint: ${fingerprint}`);
  return fingerprint;
}

export { SqlError };

/**
 * The parser and the lexer report byte offsets into the UTF-8 text; JavaScript strings count UTF-16 units.
 * Convert before slicing, or a statement with an accented name would be cut in the wrong place.
 */
export function byteToCharOffset(sql: string, byteOffset: number): number {
  return Buffer.from(sql, "utf8").subarray(0, byteOffset).toString("utf8").length;
}
