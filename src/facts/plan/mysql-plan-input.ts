/**
 * Recognises a MySQL or MariaDB plan in pasted input and reads it with the reader of its format; null when the
 * input is not one (parsePlan then reads it as a PostgreSQL plan). Recognised by what only these servers
 * print: a "query_block" in JSON, a first line `-> Iterator (cost=N rows=N)` without PostgreSQL's width, a
 * header with select_type and possible_keys.
 */
import { InputError } from "../../util/input-error.js";
import { parseMysqlJsonPlan } from "./mysql-json-parser.js";
import { isMysqlTablePlan, parseMysqlTablePlan } from "./mysql-table-parser.js";
import { isMysqlTreePlan, parseMysqlTreePlan } from "./mysql-tree-parser.js";
import type { Plan } from "./plan-model.js";

export function readMysqlPlan(input: string): Plan | null {
  if (/"query_block"\s*:/.test(input)) return parseMysqlJsonPlan(jsonText(input));
  if (isMysqlTablePlan(input)) return parseMysqlTablePlan(input);
  if (!/\bwidth=\d/.test(input) && isMysqlTreePlan(input)) return parseMysqlTreePlan(input);
  return null;
}

/**
 * The JSON of the plan, from its first { to its last }: the client may print it inside a table frame
 * (`| {` ... `} |`) or after `EXPLAIN: ` in \G output, and a session holds the prompt and statement before it.
 */
function jsonText(input: string): string {
  const start = input.search(/\{\s*"query_block"|\{\s*"query_optimization"|\{\s*$/m);
  const from = start >= 0 ? start : input.indexOf("{");
  const end = input.lastIndexOf("}");
  if (from < 0 || end < from) {
    throw new InputError(
      "the MySQL/MariaDB JSON plan has no closing }: it is truncated",
      "paste the complete output of EXPLAIN FORMAT=JSON, from the opening { to the closing }",
    );
  }
  const body = withoutEndMarkers(input.slice(from, end + 1));
  // A table frame puts "| " before and " |" after every line; JSON has no line starting with "|".
  if (!/^\|/m.test(body)) return body;
  return body
    .split("\n")
    .map((line) => {
      let l = line.trimEnd();
      if (l.endsWith("|")) l = l.slice(0, -1);
      return l.startsWith("|") ? l.slice(1) : l;
    })
    .join("\n");
}

/**
 * The JSON without MySQL's end markers: with `end_markers_in_json=ON` (as the mysql-test suite runs) every
 * closing brace is followed by a block comment naming its key, which JSON.parse refuses. Comments are cut
 * outside strings only: an attached_condition holds the comment `select#2` as text.
 */
function withoutEndMarkers(json: string): string {
  if (!json.includes("/*")) return json;
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "/" && json[i + 1] === "*") {
      const close = json.indexOf("*/", i + 2);
      if (close < 0) break;
      out += json.slice(from, i);
      from = close + 2;
      i = close + 1;
    }
  }
  return out + json.slice(from);
}
