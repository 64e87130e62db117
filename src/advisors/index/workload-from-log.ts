/**
 * The index advisor's workload from a server log: each fingerprint worth its total logged time (its calls when
 * the log has no durations), planned with the slowest call's own values where the log kept them (the
 * `parameters:` detail of the extended protocol), else with the advisor's usual binding from pg_stats.
 */
import type { LogAnalysisResult } from "../../facts/logs/log-analysis.js";
import type { ReadStats } from "../../facts/logs/read-logs.js";
import { InputError } from "../../util/input-error.js";
import type { WorkloadStatement } from "./workload-query.js";

/** What the advisor reads of a log report (pipeline/analyze-logs' LogReport is one). */
export interface LoggedWorkload {
  files: Array<Pick<ReadStats, "format">>;
  statements: LogAnalysisResult["statements"];
}

export function workloadFromLog(report: LoggedWorkload): WorkloadStatement[] {
  if (report.files.some((f) => f.format === "mysql-slow"))
    throw new InputError(
      "the index advisor works on PostgreSQL; this is a MySQL/MariaDB slow log",
      "give a PostgreSQL log, or read this one with dbopt logs",
    );
  const statements = report.statements.filter((s) =>
    /^\(*\s*(select|with|update|delete|insert)\b/i.test(s.query),
  );
  if (statements.length === 0)
    throw new InputError(
      "the log holds no SELECT, UPDATE, DELETE or INSERT with a duration",
      "log statements with log_min_duration_statement (0 logs them all) and give that log",
    );
  return statements.map((s) => ({
    id: s.fingerprint,
    sql: s.example.parameters ? bindLoggedParameters(s.example.sql, s.example.parameters) : s.example.sql,
    weight: s.timedCalls ? s.totalMs : s.calls,
    calls: s.calls,
    weightIs: s.timedCalls ? ("ms" as const) : ("calls" as const),
  }));
}

/** `$1 = '42', $2 = NULL` (as PostgreSQL logs parameters) put into the statement's placeholders. */
export function bindLoggedParameters(sql: string, parameters: string): string {
  const values = new Map<string, string>();
  for (const m of parameters.matchAll(/\$(\d+) = (NULL|'(?:[^']|'')*')/g))
    values.set(m[1] as string, m[2] as string);
  // Placeholders outside quotes only; a value the log cut short (log_parameter_max_length) leaves $n for binding.
  return sql.replace(/'(?:[^']|'')*'|\$(\d+)\b/g, (whole, n: string | undefined) =>
    n !== undefined && values.has(n) && !(values.get(n) as string).endsWith("...'")
      ? (values.get(n) as string)
      : whole,
  );
}
