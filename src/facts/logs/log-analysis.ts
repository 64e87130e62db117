/**
 * Everything `dbopt logs` takes from a stream of log records: statements by fingerprint, N+1 runs per session,
 * errors and other events, the slowest auto_explain plans, the period covered. One instance reads a whole input,
 * or one part of it in a worker thread; parts merge in input order into the first.
 */

import { detach } from "../../util/detach-string.js";
import { Fingerprinter } from "./fingerprinter.js";
import { type LogEventSummary, LogEvents, type LogEventsState } from "./log-events.js";
import type { LogRecord } from "./log-record.js";
import { LogWorkload, type StatementStats, type WorkloadState } from "./log-workload.js";
import { type MinuteCount, MinuteCounts, type MinuteCountsState } from "./minute-counts.js";
import {
  inDialect,
  NPlusOneDetector,
  type NPlusOnePattern,
  type NPlusOneState,
  type SqlDialect,
} from "./n-plus-one.js";
import { PgBouncerCounter, type PgBouncerState, type PgBouncerSummary } from "./pgbouncer-log.js";
import { StatementExtractor, sessionKey } from "./statement-events.js";

export interface LoggedPlan {
  durationMs: number;
  time: number | null;
  /** auto_explain's output as logged (text, JSON, YAML or XML). */
  text: string;
}

export interface LogAnalysisState {
  workload: WorkloadState;
  nPlusOne: NPlusOneState;
  events: LogEventsState;
  pgbouncer: PgBouncerState;
  plans: number;
  slowestPlans: LoggedPlan[];
  first: number | null;
  last: number | null;
  minutes: MinuteCountsState;
}

export interface LogAnalysisResult {
  statementCount: number;
  totalMs: number;
  period: { first: number | null; last: number | null };
  statements: StatementStats[];
  nPlusOne: NPlusOnePattern[];
  events: LogEventSummary;
  /** What PgBouncer logs said, when PgBouncer logs were read. */
  pgbouncer: PgBouncerSummary | null;
  plans: number;
  slowestPlans: LoggedPlan[];
  /** Statements and their logged time per minute, oldest first (the report's chart over time). */
  perMinute: MinuteCount[];
}

const KEPT_PLANS = 5;

/**
 * Only part of a log: a time window, one database, user or application. Messages that name none (checkpoints,
 * autovacuum, the server's own) concern them all and stay, within the window.
 */
export interface LogFilter {
  since: number | null;
  until: number | null;
  database: string | null;
  user: string | null;
  application: string | null;
}

function passes(f: LogFilter, r: LogRecord): boolean {
  if (r.time !== null && ((f.since !== null && r.time < f.since) || (f.until !== null && r.time >= f.until)))
    return false;
  if (f.database !== null && r.database !== null && r.database !== f.database) return false;
  if (f.user !== null && r.user !== null && r.user !== f.user) return false;
  if (f.application !== null && r.application !== null && r.application !== f.application) return false;
  return true;
}

export class LogAnalysis {
  private readonly workload: LogWorkload;
  private readonly nPlusOne: NPlusOneDetector;
  private readonly events = new LogEvents();
  private readonly pgbouncer = new PgBouncerCounter();
  private readonly minutes = new MinuteCounts();
  private readonly statements: StatementExtractor;
  private plans = 0;
  private slowestPlans: LoggedPlan[] = [];
  private first: number | null = null;
  private last: number | null = null;

  private readonly filter: LogFilter | null;

  /**
   * `partial`: this reads a later part of an input, to be merged into the reader of the part before.
   * `fingerprints`: shared by the parts one thread reads, so that each shape meets the parser once per thread.
   */
  constructor(
    options: { minRepeats: number; maxGapMs: number; filter?: LogFilter | null },
    partial = false,
    readonly fingerprints = new Fingerprinter(),
  ) {
    this.workload = new LogWorkload(fingerprints);
    this.nPlusOne = new NPlusOneDetector(options, partial);
    this.filter = options.filter ?? null;
    this.statements = new StatementExtractor(
      (e) => {
        const fp = this.workload.add(e);
        this.minutes.add(e.record.time, e.durationMs);
        this.nPlusOne.statement(sessionKey(e.record), fp, e);
      },
      (durationMs, text, record) => {
        this.plans++;
        this.keepPlan({ durationMs, time: record.time, text: detach(text) });
      },
    );
  }

  record(r: LogRecord): void {
    if (this.filter && !passes(this.filter, r)) return;
    if (r.time !== null) {
      if (this.first === null || r.time < this.first) this.first = r.time;
      if (this.last === null || r.time > this.last) this.last = r.time;
    }
    if (r.pgbouncer) {
      this.pgbouncer.record(r);
      return;
    }
    this.statements.record(r);
    this.events.record(r);
  }

  /** The input (or this part of it) ended: statements still waiting for a duration line count without one. */
  flush(): void {
    this.statements.end();
  }

  state(): LogAnalysisState {
    return {
      workload: this.workload.state(),
      nPlusOne: this.nPlusOne.state(),
      events: this.events.state(),
      pgbouncer: this.pgbouncer.state(),
      plans: this.plans,
      slowestPlans: this.slowestPlans,
      first: this.first,
      last: this.last,
      minutes: this.minutes.state(),
    };
  }

  /** Add the part of the input that follows what this instance has read. */
  merge(s: LogAnalysisState): void {
    this.workload.merge(s.workload);
    this.nPlusOne.merge(s.nPlusOne);
    this.events.merge(s.events);
    this.pgbouncer.merge(s.pgbouncer);
    this.plans += s.plans;
    this.minutes.merge(s.minutes);
    for (const p of s.slowestPlans) this.keepPlan(p);
    if (s.first !== null && (this.first === null || s.first < this.first)) this.first = s.first;
    if (s.last !== null && (this.last === null || s.last > this.last)) this.last = s.last;
  }

  /** The report; MySQL statements show their placeholders as `?`. */
  result(dialect: SqlDialect = "postgres"): LogAnalysisResult {
    this.nPlusOne.end();
    const shown = (q: string) => inDialect(q, dialect);
    const nPlusOne = this.nPlusOne.patterns((fp) => this.workload.queryOf(fp));
    return {
      statementCount: this.workload.statements,
      totalMs: this.workload.totalUs / 1000,
      period: { first: this.first, last: this.last },
      statements: this.workload.results().map((s) => ({ ...s, query: shown(s.query) })),
      nPlusOne: nPlusOne.map((n) => ({
        ...n,
        source: { ...n.source, query: shown(n.source.query) },
        repeated: { ...n.repeated, query: shown(n.repeated.query) },
      })),
      events: this.events.summary(),
      pgbouncer: this.pgbouncer.summary(),
      plans: this.plans,
      slowestPlans: this.slowestPlans,
      perMinute: this.minutes.result(),
    };
  }

  private keepPlan(plan: LoggedPlan): void {
    const kept = this.slowestPlans;
    if (kept.length >= KEPT_PLANS && plan.durationMs <= (kept.at(-1)?.durationMs ?? 0)) return;
    kept.push(plan);
    kept.sort((a, b) => b.durationMs - a.durationMs);
    if (kept.length > KEPT_PLANS) kept.pop();
  }
}
