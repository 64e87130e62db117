/**
 * A MySQL/MariaDB workload file: statements separated by semicolons, each called once unless a `-- weight: N`
 * (or `-- calls: N`) comment precedes it, as for PostgreSQL. libpg-query cannot read MySQL (backtick names,
 * `#` comments), so the file is cut by the migration splitter (`splitStatements`), which steps over MySQL's quotes
 * and comments and reads the mysql client's DELIMITER command, as a script run through the client would be cut;
 * the server reads each statement when it is explained.
 */

import { splitStatements } from "../../facts/migration-mysql/mysql-ddl-tokens.js";
import { skipMysqlNonCode } from "../../util/mysql-text-scan.js";
import type { WorkloadStatement } from "../index/workload-query.js";

const WEIGHT = /--\s*(?:weight|calls):\s*(\d+(?:\.\d+)?)/i;

export function parseMysqlWorkloadFile(text: string, name: string): WorkloadStatement[] {
  const out: WorkloadStatement[] = [];
  // From the previous statement's delimiter on: the comments before a statement carry its weight.
  let from = 0;
  for (const statement of splitStatements(text)) {
    const end = delimiterAt(text, statement.end);
    const weight = WEIGHT.exec(text.slice(from, end))?.[1];
    from = end;
    // Up to its last token: a trailing `-- comment` would comment out the tag the connector appends.
    const sql = text.slice(statement.start, statement.end);
    const calls = weight ? Number(weight) : 1;
    out.push({ id: `${name}:${out.length + 1}`, sql, weight: calls, calls, weightIs: "calls" });
  }
  return out;
}

/**
 * Where the delimiter after a statement's last token starts, past the whitespace and comments before it: a weight
 * comment there still belongs to this statement.
 */
function delimiterAt(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const past = skipMysqlNonCode(text, i);
    if (past > i) i = past;
    else if (/\s/.test(text[i] as string)) i++;
    else break;
  }
  return i;
}
