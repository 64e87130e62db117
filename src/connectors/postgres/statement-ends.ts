/**
 * Where each statement of a PostgreSQL text ends: the offsets of its top-level semicolons, and whether text other
 * than whitespace and comments follows the last one. Quotes ('', E'' with backslashes, "", $tag$) and comments
 * (--, nested block comments) are skipped, so a `;` inside them is not an end. A text cut inside a quote or comment
 * has no end there: nothing is reported past it.
 */
export interface StatementEnds {
  /** Offsets of the top-level `;` that close a statement with something in it (not `;;`). */
  semicolons: number[];
  /** A statement follows the last semicolon without one of its own. */
  openTail: boolean;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

// The characters that start a quote or comment or end a statement; a run of any others is skipped at once.
const PLAIN_RUN = /[^'"$;\-/]+/y;
const NOT_SPACE = /\S/;

export function statementEnds(sql: string): StatementEnds {
  const semicolons: number[] = [];
  let content = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    PLAIN_RUN.lastIndex = i;
    const run = PLAIN_RUN.exec(sql);
    if (run) {
      if (!content && NOT_SPACE.test(run[0])) content = true;
      i += run[0].length;
      continue;
    }
    const ch = sql.charAt(i);
    const before = sql.charAt(i - 1);
    if (ch === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i + 2);
      i = eol < 0 ? n : eol + 1;
    } else if (ch === "/" && sql[i + 1] === "*") {
      i = afterBlockComment(sql, i);
    } else if (ch === "'") {
      // E'...' takes backslash escapes; 'x', B'', X'', U&'' take none (standard_conforming_strings, on since 9.1).
      const escaped = (before === "E" || before === "e") && !IDENT_CHAR.test(sql.charAt(i - 2));
      i = afterQuoted(sql, i, "'", escaped);
      content = true;
    } else if (ch === '"') {
      i = afterQuoted(sql, i, '"', false);
      content = true;
    } else if (ch === "$" && !IDENT_CHAR.test(before)) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(sql)?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
      } else i++; // $1, a parameter
      content = true;
    } else if (ch === ";") {
      if (content) semicolons.push(i);
      content = false;
      i++;
    } else {
      // A lone - or /, or a $ inside a name.
      content = true;
      i++;
    }
  }
  return { semicolons, openTail: content };
}

function afterBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

function afterQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === "\\") i += 2;
    else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
