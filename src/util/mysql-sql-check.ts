import { scanMysqlNonCode } from "./mysql-text-scan.js";
import { type SqlText, UnparsableSqlError } from "./sql-text.js";

/**
 * libpg-query cannot read MySQL, so MySQL fix SQL is checked by a lexer of MySQL's quoting: backtick names,
 * '…' and "…" strings (backslash escapes and doubled quotes) and comments, stepped over as
 * util/mysql-text-scan.ts does for every MySQL scanner. It counts statements, so a name that escaped its quotes
 * (one statement becoming two) is caught, and refuses unclosed quotes, unbalanced parentheses and "…"
 * placeholders. The integration tests run every MySQL fix on MariaDB, which is the
 * grammar check this lexer does not pretend to be.
 */
export function checkMysqlSql(text: string, expectedStatements?: number): SqlText {
  let statements = 0;
  let content = false;
  let depth = 0;
  let i = 0;
  const fail = (why: string): never => {
    throw new UnparsableSqlError(text, why);
  };
  while (i < text.length) {
    const c = text[i] as string;
    const skipped = scanMysqlNonCode(text, i);
    if (skipped) {
      if (!skipped.closed) fail(skipped.kind === "quoted" ? `unclosed ${c}` : "unclosed comment");
      if (skipped.kind === "quoted") content = true;
      i = skipped.end;
    } else {
      if (c === "…") fail("placeholder … where SQL belongs");
      if (c === "(") depth++;
      if (c === ")" && --depth < 0) fail("unbalanced parentheses");
      if (c === ";") {
        if (depth !== 0) fail("unbalanced parentheses");
        if (content) statements++;
        content = false;
      } else if (!/\s/.test(c)) content = true;
      i++;
    }
  }
  if (depth !== 0) fail("unbalanced parentheses");
  if (content) statements++;
  if (statements === 0) fail("no statement");
  if (expectedStatements !== undefined && statements !== expectedStatements) {
    fail(`${statements} statements where ${expectedStatements} were built`);
  }
  return text as SqlText;
}
