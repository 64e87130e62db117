/**
 * The `mysql` client's DELIMITER command, which mysqldump writes around triggers, routines and events
 * (`DELIMITER ;;` … `DELIMITER ;`) and hand-written scripts around compound statements (`DELIMITER //`). The
 * server never sees it: the client reads it at the start of a statement, then ends statements at the new
 * delimiter, so the `;` inside a BEGIN … END body stays in its statement. Quotes and comments are stepped over as
 * the client does, by util/mysql-text-scan.ts; an executable comment (`/*! … *\/`, `/*M! … *\/`) is code to the
 * client, so a delimiter inside one ends the statement there too.
 */
import { scanMysqlNonCode } from "../../util/mysql-text-scan.js";

export interface DelimiterCommand {
  delimiter: string;
  /** Where the command's line ends (past its newline): the next statement starts there. */
  end: number;
}

/**
 * The DELIMITER command that starts at `at` after whitespace and plain comments, or null. Its argument is the first
 * word of the rest of the line, or a quoted string; like the client, a missing argument or one holding a
 * backslash is no command (the line is left to the server, which refuses it).
 */
export function delimiterCommand(text: string, at: number): DelimiterCommand | null {
  let i = at;
  while (i < text.length) {
    if (/\s/.test(text[i] as string)) i++;
    else {
      const skipped = scanMysqlNonCode(text, i);
      if (!skipped || skipped.kind === "quoted" || isExecutableComment(text, i)) break;
      i = skipped.end;
    }
  }
  const m = /^delimiter[ \t]+([^\r\n]*)/i.exec(text.slice(i, i + 200));
  if (!m) return null;
  const rest = (m[1] as string).trimEnd();
  const quote = /^(['"`])(.*?)\1/.exec(rest);
  const delimiter = quote ? (quote[2] as string) : (rest.split(/\s/)[0] as string);
  if (!delimiter || delimiter.includes("\\")) return null;
  const newline = text.indexOf("\n", i);
  return { delimiter, end: newline < 0 ? text.length : newline + 1 };
}

/**
 * Where `delimiter` next occurs in code from `from` on (text.length when it does not). Code includes executable
 * comments: the client ends a statement at a delimiter inside one.
 */
export function findDelimiter(text: string, from: number, delimiter: string): number {
  let i = from;
  while (i < text.length) {
    if (text.startsWith(delimiter, i)) return i;
    const executable = isExecutableComment(text, i);
    const skipped = executable ? null : scanMysqlNonCode(text, i);
    i = executable ? i + executable : skipped ? skipped.end : i + 1;
  }
  return text.length;
}

/** The length of `/*!` or `/*M!` when one starts at `i`, else 0. */
function isExecutableComment(text: string, i: number): number {
  if (text.startsWith("/*!", i)) return 3;
  return text.startsWith("/*M!", i) ? 4 : 0;
}
