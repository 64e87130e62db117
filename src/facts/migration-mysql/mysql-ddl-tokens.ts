/**
 * MySQL/MariaDB statement text as tokens, with their offsets: backtick names (a doubled backtick inside), '…' and
 * "…" strings (backslash escapes, doubled quotes), numbers, words and punctuation; comments (`-- `, `#`, `/* … *\/`)
 * are dropped but executable comments (`/*! … *\/`, `/*M! … *\/`) are read as their content when the target server
 * runs it (`/*!NNNNN`: that version or later; `/*M!`: MariaDB only), as a comment otherwise.
 * Quotes and comments are found by util/mysql-text-scan.ts, as every MySQL scanner finds them. The DDL reader
 * works on these tokens, so a statement is never taken apart with regular expressions over its text.
 */
import { scanMysqlNonCode } from "../../util/mysql-text-scan.js";
import { delimiterCommand, findDelimiter } from "./client-delimiter.js";
import { atLeast, type ServerVersion } from "./online-ddl-support.js";

export type TokenKind = "word" | "name" | "string" | "number" | "punct";

export interface Token {
  kind: TokenKind;
  /** The text as written. */
  text: string;
  /** A word in upper case; a quoted name unquoted; a string unescaped. */
  value: string;
  start: number;
  end: number;
  /** The executable comment the token was read from: a statement or text cut inside one must not lose its `*\/`. */
  comment?: { start: number; end: number };
}

export interface SourceStatement {
  tokens: Token[];
  /** Offsets in the file of the statement's first and last characters (end exclusive), the ';' left out. */
  start: number;
  end: number;
}

/**
 * The statements of a file, split at ';' outside quotes and comments, or at the delimiter a `mysql` client
 * DELIMITER command set (mysqldump's `DELIMITER ;;` around triggers and routines): the command's line is no
 * statement, and a BEGIN … END body keeps its ';'. Without a server every executable comment is read as code; a
 * statement begun or ended inside one takes the whole comment.
 */
export function splitStatements(text: string, server?: ServerVersion): SourceStatement[] {
  const out: SourceStatement[] = [];
  let current: Token[] = [];
  const flush = () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last)
      out.push({
        tokens: current,
        start: first.comment?.start ?? first.start,
        end: last.comment?.end ?? last.end,
      });
    current = [];
  };
  let delimiter = ";";
  let at = 0;
  while (at < text.length) {
    const command = delimiterCommand(text, at);
    if (command) {
      delimiter = command.delimiter;
      at = command.end;
    } else if (delimiter === ";") {
      // Up to the next statement that is a DELIMITER command; the tokens are read lazily, so a dump with many
      // routines is read once, not once per DELIMITER.
      const from = at;
      at = text.length;
      for (const token of tokenize(text.slice(from), server, from)) {
        if (!current.length && isDelimiterWord(token) && delimiterCommand(text, token.start)) {
          at = token.start;
          break;
        }
        if (token.kind === "punct" && token.text === ";") flush();
        else current.push(token);
      }
      flush();
    } else {
      const end = findDelimiter(text, at, delimiter);
      current = [...tokenize(text.slice(at, end), server, at)];
      flush();
      at = Math.min(text.length, end + delimiter.length);
    }
  }
  return out;
}

/**
 * The text of consecutive tokens as code: runs read from one executable comment are given without its markers
 * (the target server runs that content), so a slice never opens or closes a comment it does not finish.
 */
export function codeText(text: string, tokens: Token[]): string {
  const runs: string[] = [];
  let from = 0;
  for (let i = 1; i <= tokens.length; i++) {
    const a = tokens[i - 1] as Token;
    const b = tokens[i];
    if (b && b.comment?.start === a.comment?.start) continue;
    runs.push(text.slice((tokens[from] as Token).start, a.end));
    from = i;
  }
  return runs.join(" ");
}

/** The version and content of `/*!NNNNN … *\/` or `/*M!NNNNNN … *\/`: the content's offset, or null when `server` skips it. */
function executableContent(text: string, at: number, server: ServerVersion | undefined): number | null {
  const m = /^\/\*(M?)!(\d*)/.exec(text.slice(at, at + 12));
  if (!m) return null;
  const mariadbOnly = m[1] === "M";
  // Six digits of version when there are six (100301 is 10.3.1), else five; MySQL before 8.1 reads only five
  // (100301 is 1.0.30 there, and "1" starts the content).
  const digits = m[2] as string;
  const fiveOnly = server?.flavour === "mysql" && !mariadbOnly && !atLeast(server, 8, 1, 0);
  const width = digits.length >= 6 && !fiveOnly ? 6 : Math.min(digits.length, 5);
  // Fewer than five digits are no version: they are part of the content.
  const contentAt = at + 3 + (m[1] as string).length + (digits.length >= 5 ? width : 0);
  if (!server) return contentAt;
  if (mariadbOnly && server.flavour !== "mariadb") return null;
  if (digits.length < 5) return contentAt;
  const n = Number(digits.slice(0, width));
  return atLeast(server, Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100) ? contentAt : null;
}

/** The tokens of `text`, lazily, with offsets `offset` further on (`text` is a slice of the file from there). */
function* tokenize(text: string, server: ServerVersion | undefined, offset = 0): Generator<Token> {
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const skipped = scanMysqlNonCode(text, i);
    if (skipped?.kind === "quoted") {
      yield {
        kind: c === "`" ? "name" : "string",
        text: text.slice(i, skipped.end),
        value: unquote(text.slice(i, skipped.end), c),
        start: offset + i,
        end: offset + skipped.end,
      };
      i = skipped.end;
    } else if (skipped) {
      // /*!80013 … */ and /*M!100400 … */ run on the server when it is recent enough: their content is read; a plain
      // comment is not.
      const end = skipped.closed && skipped.kind === "block-comment" ? skipped.end - 2 : skipped.end;
      const content = skipped.kind === "block-comment" ? executableContent(text, i, server) : null;
      if (content !== null && content <= end) {
        const comment = { start: offset + i, end: offset + skipped.end };
        for (const t of tokenize(text.slice(content, end), server, offset + content)) yield { ...t, comment };
      }
      i = skipped.end;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)/i.exec(text.slice(i)) as RegExpExecArray;
      // 1e, 123abc: a number followed by letters is a word in MySQL (names may start with digits).
      const word = /^[0-9]+[A-Za-z_$][\w$]*/.exec(text.slice(i));
      const raw = word && word[0].length > m[0].length ? word[0] : m[0];
      yield {
        kind: word && raw === word[0] ? "word" : "number",
        text: raw,
        value: raw.toUpperCase(),
        start: offset + i,
        end: offset + i + raw.length,
      };
      i += raw.length;
    } else if (/[A-Za-z_$@\u0080-\uffff]/.test(c) && /^@{0,2}[\w$\u0080-\uffff]/.test(text.slice(i, i + 3))) {
      // A user variable (@x, @@x) is a word; the @ of DEFINER=`root`@`localhost` is punctuation.
      const m = /^[@]{0,2}[\w$\u0080-\uffff]+/.exec(text.slice(i)) as RegExpExecArray;
      yield {
        kind: "word",
        text: m[0],
        value: m[0].toUpperCase(),
        start: offset + i,
        end: offset + i + m[0].length,
      };
      i += m[0].length;
    } else {
      yield { kind: "punct", text: c, value: c, start: offset + i, end: offset + i + 1 };
      i++;
    }
  }
}

/** A DELIMITER word outside executable comments: the start of a client command when a statement begins with it. */
function isDelimiterWord(token: Token): boolean {
  return token.kind === "word" && token.value === "DELIMITER" && !token.comment;
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
