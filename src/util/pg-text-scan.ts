/**
 * The one scan of PostgreSQL text outside the parser, for the places that must not load it (tagging every
 * statement a connector sends, blanking psql meta-commands before parsing): where a quoted string, quoted name,
 * dollar-quoted body or comment that starts at an offset ends. Read as PostgreSQL's lexer reads them: '' inside
 * strings, backslash escapes only in E'' (standard_conforming_strings, on since 9.1), nested block comments.
 */

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/**
 * The offset just past the string, quoted name, dollar quote or comment that starts at `i`, or `i` when none starts
 * there (`$1`, a parameter, is not a dollar quote). A text cut inside one ends it at the text's end.
 */
export function afterQuotedOrComment(text: string, i: number): number {
  const ch = text.charAt(i);
  const next = text.charAt(i + 1);
  if (ch === "-" && next === "-") {
    const eol = text.indexOf("\n", i + 2);
    return eol < 0 ? text.length : eol + 1;
  }
  if (ch === "/" && next === "*") return afterBlockComment(text, i);
  if (ch === "'") {
    const before = text.charAt(i - 1);
    const escaped = (before === "E" || before === "e") && !IDENT_CHAR.test(text.charAt(i - 2));
    return afterQuoted(text, i, "'", escaped);
  }
  if (ch === '"') return afterQuoted(text, i, '"', false);
  if (ch === "$" && !IDENT_CHAR.test(text.charAt(i - 1))) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(text)?.[0];
    if (tag) {
      const close = text.indexOf(tag, i + tag.length);
      return close < 0 ? text.length : close + tag.length;
    }
  }
  return i;
}

function afterBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text[i] === "/" && text[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (text[i] === "*" && text[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
}

function afterQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === "\\") i += 2;
    else if (ch === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

const SCAN_START = /['"$\-/]/g;

/** `text` with each comment replaced by a space; strings, quoted names and dollar-quoted bodies are kept whole. */
export function withoutComments(text: string): string {
  let out = "";
  let copied = 0;
  SCAN_START.lastIndex = 0;
  for (let m = SCAN_START.exec(text); m; m = SCAN_START.exec(text)) {
    const i = m.index;
    const after = afterQuotedOrComment(text, i);
    if (after === i) continue;
    if (text[i] === "-" || text[i] === "/") {
      out += `${text.slice(copied, i)} `;
      copied = after;
    }
    SCAN_START.lastIndex = after;
  }
  return out + text.slice(copied);
}
