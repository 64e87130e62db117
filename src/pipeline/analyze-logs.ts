/** `dbopt logs` as a library function: logs → statements by fingerprint, N+1 patterns, and the other events. */
import { performance } from "node:perf_hooks";
import { type LogEventSummary, LogEvents } from "../facts/logs/log-events.js";
import { LogWorkload, type StatementStats } from "../facts/logs/log-workload.js";
import { NPlusOneDetector, type NPlusOnePattern } from "../facts/logs/n-plus-one.js";
import { Fingerprinter } from "../facts/logs/normalise-sql.js";
import { type LogFormat, openLog, readLog } from "../facts/logs/read-logs.js";
import { StatementExtractor } from "../facts/logs/statement-events.js";
import { loadSqlParser } from "../util/sql-parser.js";

export interface LogReport {
  kind: "logs";
  files: Array<{ name: string; format: LogFormat; prefix: string | null; bytes: number; records: number }>;
  seconds: number;
  /** Statements with a duration, and their total time. */
  statementCount: number;
  totalMs: number;
  period: { first: number | null; last: number | null };
  statements: StatementStats[];
  nPlusOne: NPlusOnePattern[];
  events: LogEventSummary;
  /** auto_explain plans seen (the plan analyzer reads them with `dbopt explain`). */
  plans: number;
}

export interface LogOptions {
  prefix?: string;
  format?: LogFormat;
  minRepeats?: number;
  top?: number;
}

export async function analyzeLogs(paths: string[], options: LogOptions = {}): Promise<LogReport> {
  const started = performance.now();
  await loadSqlParser();
  const fingerprints = new Fingerprinter();
  const workload = new LogWorkload(fingerprints);
  const nPlusOne = new NPlusOneDetector({ minRepeats: options.minRepeats ?? 5, maxGapMs: 1000 });
  const events = new LogEvents();
  let plans = 0;
  let first: number | null = null;
  let last: number | null = null;
  const statements = new StatementExtractor(
    (e) => {
      const fp = workload.add(e);
      const r = e.record;
      nPlusOne.statement(`${r.pid}|${r.session ?? ""}`, fp, e);
    },
    () => {
      plans++;
    },
  );
  const files: LogReport["files"] = [];
  for (const path of paths) {
    const stats = await readLog(
      path === "-" ? "standard input" : path,
      await openLog(path),
      (r) => {
        if (r.time !== null) {
          if (first === null || r.time < first) first = r.time;
          if (last === null || r.time > last) last = r.time;
        }
        statements.record(r);
        events.record(r);
      },
      options,
    );
    files.push({ name: path === "-" ? "standard input" : path, ...stats });
  }
  statements.end();
  nPlusOne.end();
  const all = workload.results();
  return {
    kind: "logs",
    files,
    seconds: Math.round(performance.now() - started) / 1000,
    statementCount: workload.statements,
    totalMs: Math.round(workload.totalMs * 1000) / 1000,
    period: { first, last },
    statements: options.top ? all.slice(0, options.top) : all,
    nPlusOne: nPlusOne.patterns((fp) => workload.queryOf(fp)),
    events: events.summary(),
    plans,
  };
}
