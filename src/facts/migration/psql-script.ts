/**
 * What psql runs that is not SQL, blanked so the file parses and keeps its lines and columns: meta-commands
 * (`\set ON_ERROR_STOP on`, `\connect`, `\i`, `\gset` ...) and the data lines of `COPY ... FROM stdin` up to `\.`.
 * Migration files run with `psql -f` hold both. A backslash inside a string, a quoted name, a dollar-quoted body
 * or a comment is left alone: the text is scanned as PostgreSQL's lexer would (util/pg-text-scan.ts).
 */
import { afterQuotedOrComment, withoutComments } from "../../util/pg-text-scan.js";

/** `\g`, `\gx`, `\gset`, `\gexec`, `\gdesc`, `\crosstabview` send the query like a semicolon. */
const SENDS = /^\\(?:g|gx|gset|gexec|gdesc|crosstabview)\b/;

export function blankPsqlCommands(text: string): string {
  if (!/(?:^|\n)[ \t]*\\|\\g|stdin/i.test(text)) return text;
  const out = text.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n" && out[k] !== "\r") out[k] = " ";
  };
  let statementStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    const after = afterQuotedOrComment(text, i);
    if (after > i) {
      i = after;
    } else if (ch === "\\") {
      // A meta-command runs to the end of its line; the sending ones end the statement like a semicolon.
      const lineEnd = text.indexOf("\n", i) < 0 ? n : text.indexOf("\n", i);
      const sends = SENDS.test(text.slice(i, lineEnd));
      blank(i, lineEnd);
      if (sends) {
        out[i] = ";";
        i = afterCopyData(text, statementStart, lineEnd, blank);
        statementStart = i;
      } else i = lineEnd;
    } else if (ch === ";") {
      i = afterCopyData(text, statementStart, i + 1, blank);
      statementStart = i;
    } else i++;
  }
  return out.join("");
}

/** After a statement ending at `end`: for COPY ... FROM stdin, skip and blank its data through the `\.` line. */
function afterCopyData(
  text: string,
  start: number,
  end: number,
  blank: (from: number, to: number) => void,
): number {
  if (!/^\s*copy\b[^;]*\bfrom\s+stdin\b/i.test(withoutComments(text.slice(start, end)))) return end;
  const dataStart = text.indexOf("\n", end);
  if (dataStart < 0) return text.length;
  const terminator = /^[ \t]*\\\.[ \t]*\r?$/m;
  const rest = text.slice(dataStart + 1);
  const m = terminator.exec(rest);
  const stop = m ? dataStart + 1 + m.index + m[0].length : text.length;
  blank(dataStart + 1, stop);
  return stop;
}
