/**
 * What a MySQL/MariaDB statement does, from its top-level words (quotes, comments and parentheses skipped), so
 * dbopt knows whether EXPLAIN may run it read-only and whether ANALYZE would change data. No parser: the
 * server parses it when it is explained.
 */
import { skipMysqlNonCode } from "../../util/mysql-text-scan.js";

export interface MysqlStatementKind {
  /** "select", "insert", "update", "delete", "replace", or another first word (lower case). */
  verb: string;
  /** INSERT, UPDATE, DELETE, REPLACE, or a SELECT that locks rows (FOR UPDATE / LOCK IN SHARE MODE). */
  writes: boolean;
  /** Statements EXPLAIN takes. */
  explainable: boolean;
  /** More than one statement separated by ; */
  statements: number;
}

const EXPLAINABLE = new Set(["select", "insert", "update", "delete", "replace", "table", "values"]);
const CHANGES = new Set(["insert", "update", "delete", "replace"]);

export function mysqlStatementKind(text: string): MysqlStatementKind {
  const words = topLevelWords(text);
  let statements = 0;
  let verb = "";
  let afterWith = false;
  let content = false;
  for (const w of words) {
    if (w === ";") {
      if (content) statements++;
      content = false;
      continue;
    }
    content = true;
    if (statements > 0) continue;
    if (!verb) {
      if (w === "with") afterWith = true;
      else verb = w;
    }
  }
  if (content) statements++;
  // WITH ... (cte) SELECT|UPDATE|DELETE: the verb is the first top-level statement word after the CTEs.
  if (afterWith) verb = words.find((w) => EXPLAINABLE.has(w)) ?? "with";
  const locks =
    verb === "select" &&
    (words.some((w, i) => w === "for" && (words[i + 1] === "update" || words[i + 1] === "share")) ||
      words.some((w, i) => w === "lock" && words[i + 1] === "in"));
  return {
    verb,
    writes: CHANGES.has(verb) || locks,
    explainable: EXPLAINABLE.has(verb),
    statements,
  };
}

/** Lower-case words and semicolons outside quotes, comments and parentheses. */
function topLevelWords(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const past = skipMysqlNonCode(text, i);
    if (past > i) i = past;
    else if (c === "(") {
      depth++;
      i++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (c === ";") {
      if (depth === 0) out.push(";");
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[\w$]/.test(text[j] as string)) j++;
      // A statement in parentheses, ((SELECT ...)), still starts with its verb.
      if (depth === 0 || out.length === 0 || out[out.length - 1] === ";")
        out.push(text.slice(i, j).toLowerCase());
      i = j;
    } else i++;
  }
  return out;
}
