/**
 * MySQL/MariaDB statement text as tokens, with their offsets: backtick names (a doubled backtick inside), '…' and
 * "…" strings (backslash escapes, doubled quotes), numbers, words and punctuation; comments (`-- `, `#`, `/* … *\/`)
 * are dropped but executable comments (`/*! … *\/`, `/*M! … *\/`) are read as their content, as the server does.
 * Quotes and comments are found by util/mysql-text-scan.ts, as every MySQL scanner finds them. The DDL reader
 * works on these tokens, so a statement is never taken apart with regular expressions over its text.
 */
import { scanMysqlNonCode } from "../../util/mysql-text-scan.js";

export type TokenKind = "word" | "name" | "string" | "number" | "punct";

export interface Token {
  kind: TokenKind;
  /** The text as written. */
  text: string;
  /** A word in upper case; a quoted name unquoted; a string unescaped. */
  value: string;
  start: number;
  end: number;
}

export interface SourceStatement {
  tokens: Token[];
  /** Offsets in the file of the statement's first and last characters (end exclusive), the ';' left out. */
  start: number;
  end: number;
}

/** The statements of a file, split at ';' outside quotes and comments. A DELIMITER line ends the reading. */
export function splitStatements(text: string): SourceStatement[] {
  const out: SourceStatement[] = [];
  let current: Token[] = [];
  const flush = () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) out.push({ tokens: current, start: first.start, end: last.end });
    current = [];
  };
  for (const token of tokenize(text)) {
    if (token.kind === "punct" && token.text === ";") flush();
    else current.push(token);
  }
  flush();
  return out;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const skipped = scanMysqlNonCode(text, i);
    if (skipped?.kind === "quoted") {
      tokens.push({
        kind: c === "`" ? "name" : "string",
        text: text.slice(i, skipped.end),
        value: unquote(text.slice(i, skipped.end), c),
        start: i,
        end: skipped.end,
      });
      i = skipped.end;
    } else if (skipped) {
      // /*! 80013 … */ and /*M!100400 … */ run on the server: their content is read; a plain comment is not.
      const end = skipped.closed && skipped.kind === "block-comment" ? skipped.end - 2 : skipped.end;
      const executable =
        skipped.kind === "block-comment" ? /^\/\*M?!\d*/.exec(text.slice(i, Math.min(end, i + 12))) : null;
      if (executable) {
        for (const t of tokenize(text.slice(i + executable[0].length, end)))
          tokens.push({
            ...t,
            start: t.start + i + executable[0].length,
            end: t.end + i + executable[0].length,
          });
      }
      i = skipped.end;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)/i.exec(text.slice(i)) as RegExpExecArray;
      // 1e, 123abc: a number followed by letters is a word in MySQL (names may start with digits).
      const word = /^[0-9]+[A-Za-z_$][\w$]*/.exec(text.slice(i));
      const raw = word && word[0].length > m[0].length ? word[0] : m[0];
      tokens.push({
        kind: word && raw === word[0] ? "word" : "number",
        text: raw,
        value: raw.toUpperCase(),
        start: i,
        end: i + raw.length,
      });
      i += raw.length;
    } else if (/[A-Za-z_$@\u0080-\uffff]/.test(c)) {
      const m = /^[@]{0,2}[\w$\u0080-\uffff]+/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "word", text: m[0], value: m[0].toUpperCase(), start: i, end: i + m[0].length });
      i += m[0].length;
    } else {
      tokens.push({ kind: "punct", text: c, value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

function unquote(raw: string, quote: string): string {
  const inner = raw.slice(1, raw.endsWith(quote) && raw.length > 1 ? -1 : undefined);
  const doubled = inner.split(quote + quote).join(quote);
  return quote === "`" ? doubled : doubled.replace(/\\(.)/g, "$1");
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
