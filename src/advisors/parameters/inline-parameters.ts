/**
 * A statement with its $n replaced by SQL text (literals with casts), found by the lexer so a `$1` inside a string
 * or a comment stays. Returns null when some $n has no value.
 */
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";

export function inlineParameters(sql: string, values: ReadonlyMap<number, string>): string | null {
  const tokens = scanSql(sql)
    .tokens.filter((t) => t.tokenName === "PARAM")
    .map((t) => ({ start: byteToCharOffset(sql, t.start), end: byteToCharOffset(sql, t.end) }));
  let out = "";
  let at = 0;
  for (const t of tokens) {
    const value = values.get(Number(sql.slice(t.start + 1, t.end)));
    if (value === undefined) return null;
    out += sql.slice(at, t.start) + value;
    at = t.end;
  }
  return out + sql.slice(at);
}
