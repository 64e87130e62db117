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
  const body = input.slice(from, end + 1);
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
