/**
 * Where each statement of a PostgreSQL text ends: the offsets of its top-level semicolons, and whether text other
 * than whitespace and comments follows the last one. Quotes ('', E'' with backslashes, "", $tag$) and comments
 * (--, nested block comments) are skipped, so a `;` inside them is not an end. A text cut inside a quote or comment
 * has no end there: nothing is reported past it.
 */
import { afterQuotedOrComment } from "../../util/pg-text-scan.js";

export interface StatementEnds {
  /** Offsets of the top-level `;` that close a statement with something in it (not `;;`). */
  semicolons: number[];
  /** A statement follows the last semicolon without one of its own. */
  openTail: boolean;
}

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
    const after = afterQuotedOrComment(sql, i);
    if (after > i) {
      // A comment is not content; a string, quoted name or dollar-quoted body is.
      if (ch !== "-" && ch !== "/") content = true;
      i = after;
    } else if (ch === ";") {
      if (content) semicolons.push(i);
      content = false;
      i++;
    } else {
      // A lone - or /, or a $ that starts no dollar quote ($1, a parameter, or inside a name).
      content = true;
      i++;
    }
  }
  return { semicolons, openTail: content };
}
