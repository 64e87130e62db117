import { type SqlText, UnparsableSqlError } from "./sql-text.js";

/**
 * libpg-query cannot read MySQL, so MySQL fix SQL is checked by a lexer of MySQL's quoting: backtick names,
 * '…' and "…" strings (backslash escapes and doubled quotes), comments. It counts statements, so a name that
 * escaped its quotes (one statement becoming two) is caught, and refuses unclosed quotes, unbalanced
 * parentheses and "…" placeholders. The integration tests run every MySQL fix on MariaDB, which is the
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
    if (c === "`" || c === "'" || c === '"') {
      const end = closingQuote(text, i, c);
      if (end < 0) fail(`unclosed ${c}`);
      content = true;
      i = end + 1;
    } else if (c === "-" && text[i + 1] === "-" && /\s/.test(text[i + 2] ?? " ")) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) fail("unclosed comment");
      i = end + 2;
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

function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && quote !== "`") i += 2;
    else if (c === quote && text[i + 1] === quote) i += 2;
    else if (c === quote) return i;
    else i++;
  }
  return -1;
}
