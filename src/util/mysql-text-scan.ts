/**
 * MySQL/MariaDB text that is not code: a quoted string or name ('…', "…", `…`, with backslash escapes outside
 * backticks and doubled quotes), a `-- ` or `#` comment to the end of the line, a block comment. Scanners that
 * split, read or check SQL text step over these with one function, so they agree on where code is.
 */
export function skipMysqlNonCode(text: string, i: number): number {
  return scanMysqlNonCode(text, i)?.end ?? i;
}

/** What starts at `i` when it is not code, where it ends, and whether it was closed; null when `i` is code. */
export function scanMysqlNonCode(
  text: string,
  i: number,
): { kind: "quoted" | "line-comment" | "block-comment"; end: number; closed: boolean } | null {
  const c = text[i];
  if (c === "'" || c === '"' || c === "`") return { kind: "quoted", ...skipQuoted(text, i, c) };
  if ((c === "-" && text[i + 1] === "-" && /\s/.test(text[i + 2] ?? " ")) || c === "#") {
    const end = text.indexOf("\n", i);
    return { kind: "line-comment", end: end < 0 ? text.length : end + 1, closed: true };
  }
  if (c === "/" && text[i + 1] === "*") {
    const end = text.indexOf("*/", i + 2);
    return { kind: "block-comment", end: end < 0 ? text.length : end + 2, closed: end >= 0 };
  }
  return null;
}

function skipQuoted(text: string, start: number, quote: string): { end: number; closed: boolean } {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && quote !== "`") i += 2;
    else if (c === quote) {
      if (text[i + 1] === quote) i += 2;
      else return { end: i + 1, closed: true };
    } else i++;
  }
  return { end: text.length, closed: false };
}
