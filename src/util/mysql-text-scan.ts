/**
 * MySQL/MariaDB text that is not code: a quoted string or name ('…', "…", `…`, with backslash escapes outside
 * backticks and doubled quotes), a `-- ` or `#` comment to the end of the line, a block comment. Scanners that
 * split or read SQL text step over these with one function, so they agree on where code is.
 */
export function skipMysqlNonCode(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"' || c === "`") return skipQuoted(text, i, c);
  if ((c === "-" && text[i + 1] === "-" && /\s/.test(text[i + 2] ?? " ")) || c === "#") {
    const end = text.indexOf("\n", i);
    return end < 0 ? text.length : end + 1;
  }
  if (c === "/" && text[i + 1] === "*") {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && quote !== "`") i += 2;
    else if (c === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}
