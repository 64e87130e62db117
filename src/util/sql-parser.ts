import { fingerprintSync, loadModule, type ParseResult, parseSync, SqlError } from "libpg-query";

let loading: Promise<void> | null = null;
let loaded = false;

/** Load the PostgreSQL parser (WebAssembly) once; every entry point awaits this before parsing. */
export async function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  await loading;
}

function ensureLoaded(): void {
  if (!loaded) throw new Error("the SQL parser is not loaded: await loadSqlParser() first");
}

/** Parse with the real PostgreSQL 18 parser. Throws SqlError on invalid SQL. */
export function parseSql(sql: string): ParseResult {
  ensureLoaded();
  return parseSync(sql);
}

/** Parse, or null when the text is not valid SQL. */
export function tryParseSql(sql: string): ParseResult | null {
  try {
    return parseSql(sql);
  } catch (error) {
    if (error instanceof SqlError || (error instanceof Error && /syntax|parse/i.test(error.message)))
      return null;
    throw error;
  }
}

export function fingerprintSql(sql: string): string {
  ensureLoaded();
  return fingerprintSync(sql);
}

export { SqlError };
