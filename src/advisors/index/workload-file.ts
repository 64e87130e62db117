/**
 * A workload given as a .sql file: statements separated by semicolons, each called once unless a `-- weight: N`
 * (or `-- calls: N`) comment precedes it. The weight is a call count: the advisor multiplies it by what one call
 * costs. Split with the real parser, so semicolons inside strings do not count.
 */
import { InputError } from "../../util/input-error.js";
import { byteToCharOffset, parseSql, SqlError } from "../../util/sql-parser.js";
import type { WorkloadStatement } from "./workload-query.js";

export function parseWorkloadFile(text: string, name: string): WorkloadStatement[] {
  let tree: ReturnType<typeof parseSql>;
  try {
    tree = parseSql(text);
  } catch (error) {
    const at =
      error instanceof SqlError && error.sqlDetails?.cursorPosition
        ? ` near character ${error.sqlDetails.cursorPosition}`
        : "";
    throw new InputError(
      `${name} does not parse${at}: ${error instanceof Error ? error.message : String(error)}`,
      "fix the statement, or remove it from the workload file",
    );
  }
  const out: WorkloadStatement[] = [];
  let previousEnd = 0;
  for (const [index, raw] of (tree.stmts ?? []).entries()) {
    const startByte = Number(raw.stmt_location ?? 0);
    const start = byteToCharOffset(text, startByte);
    const end = raw.stmt_len ? byteToCharOffset(text, startByte + Number(raw.stmt_len)) : text.length;
    // The statement's text starts after any comments; its weight comment sits between it and the one before.
    const before = text.slice(previousEnd, start);
    const weight = /--\s*(?:weight|calls):\s*(\d+(?:\.\d+)?)/i.exec(before)?.[1];
    const sql = text
      .slice(start, end)
      .replace(/^(\s*--[^\n]*\n)+/, "")
      .trim();
    previousEnd = end;
    if (!sql) continue;
    const calls = weight ? Number(weight) : 1;
    out.push({ id: `${name}:${index + 1}`, sql, weight: calls, calls, weightIs: "calls" });
  }
  if (out.length === 0)
    throw new InputError(
      `${name} holds no statements`,
      "write one statement per query of the workload, separated by ;",
    );
  return out;
}
