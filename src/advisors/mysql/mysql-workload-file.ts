/**
 * A MySQL/MariaDB workload file: statements separated by semicolons, each called once unless a `-- weight: N`
 * (or `-- calls: N`) comment precedes it, as for PostgreSQL. libpg-query cannot read MySQL (backtick names,
 * `#` comments), so the file is cut by a lexer of MySQL's quoting; the server reads each statement when it is
 * explained.
 */

import { skipMysqlNonCode } from "../../util/mysql-text-scan.js";
import type { WorkloadStatement } from "../index/workload-query.js";

export function parseMysqlWorkloadFile(text: string, name: string): WorkloadStatement[] {
  const out: WorkloadStatement[] = [];
  let start = 0;
  const take = (end: number) => {
    const chunk = text.slice(start, end);
    start = end + 1;
    const weight = /--\s*(?:weight|calls):\s*(\d+(?:\.\d+)?)/i.exec(chunk)?.[1];
    const sql = chunk
      .replace(/^(\s*(--[^\n]*|#[^\n]*)?\n)+/, "")
      .replace(/\/\*(?!!)[\s\S]*?\*\/\s*/g, (c, offset: number) => (offset === 0 ? "" : c))
      .trim();
    if (!sql || /^(--[^\n]*|#[^\n]*|\s)*$/.test(sql)) return;
    const calls = weight ? Number(weight) : 1;
    out.push({ id: `${name}:${out.length + 1}`, sql, weight: calls, calls, weightIs: "calls" });
  };
  let i = 0;
  while (i < text.length) {
    const past = skipMysqlNonCode(text, i);
    if (past > i) i = past;
    else if (text[i] === ";") {
      take(i);
      i++;
    } else i++;
  }
  take(text.length);
  return out;
}
