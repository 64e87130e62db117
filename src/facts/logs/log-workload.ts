/** Statements of a log grouped by fingerprint, with their calls, time, percentiles and who ran them. */
import { detach } from "../../util/detach-string.js";
import { DurationHistogram } from "./duration-histogram.js";
import type { Fingerprinter } from "./fingerprinter.js";
import { numberParams } from "./normalise-sql.js";
import type { StatementEvent } from "./statement-events.js";
import { StatementShapes } from "./statement-shapes.js";

export interface StatementStats {
  fingerprint: string;
  /** Normalised text, constants as $1. */
  query: string;
  calls: number;
  /** Share of all logged statement time (0..1). */
  share: number;
  /** Calls logged with a duration (log_statement without log_duration gives none). */
  timedCalls: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Rows sent and examined, and full scans: MySQL/MariaDB slow logs have them, PostgreSQL logs do not (null). */
  rowsSent: number | null;
  rowsExamined: number | null;
  fullScans: number | null;
  firstSeen: number | null;
  lastSeen: number | null;
  /** The slowest call as logged, with its parameters. */
  example: { sql: string; parameters: string | null; durationMs: number | null };
  users: string[];
  databases: string[];
  applications: string[];
}

const MAX_NAMES = 10;

/** Up to MAX_NAMES distinct names. Consecutive calls mostly share theirs: the last one skips the set. */
class Names {
  private readonly set = new Set<string>();
  private last: string | null = null;

  add(name: string): void {
    if (name === this.last || this.set.size >= MAX_NAMES || this.set.has(name)) return;
    this.last = detach(name);
    this.set.add(this.last);
  }

  values(): string[] {
    return [...this.set];
  }
}

class Aggregate {
  calls = 0;
  /** Integer microseconds: sums of integers do not depend on the order parts are merged in. */
  totalUs = 0;
  maxMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  firstSeen: number | null = null;
  lastSeen: number | null = null;
  readonly histogram = new DurationHistogram();

  clamp(ms: number): number {
    return this.histogram.count ? Math.min(Math.max(ms, this.minMs), this.maxMs) : 0;
  }
  rows: { sent: number; examined: number; fullScans: number } | null = null;
  example: StatementStats["example"];
  readonly users = new Names();
  readonly databases = new Names();
  readonly applications = new Names();
  constructor(
    readonly fingerprint: string,
    readonly query: string,
    example: StatementStats["example"],
  ) {
    this.example = example;
  }
}

/** An aggregate as plain data, for merging what worker threads counted. */
export interface AggregateState {
  fingerprint: string;
  query: string;
  calls: number;
  totalUs: number;
  maxMs: number;
  minMs: number;
  firstSeen: number | null;
  lastSeen: number | null;
  buckets: Map<number, number>;
  rows: { sent: number; examined: number; fullScans: number } | null;
  example: StatementStats["example"];
  users: string[];
  databases: string[];
  applications: string[];
}

export interface WorkloadState {
  statements: number;
  totalUs: number;
  aggregates: AggregateState[];
}

export class LogWorkload {
  statements = 0;
  /** Integer microseconds (see Aggregate). */
  totalUs = 0;
  private readonly byFingerprint = new Map<string, Aggregate>();
  /** PostgreSQL's statements and a MySQL slow log's (their records have `rows`): block comments nest in the first
   * only, and a text's cached shape must not serve the other dialect. */
  private readonly shapes: StatementShapes;
  private readonly mysqlShapes: StatementShapes;

  constructor(fingerprints: Fingerprinter) {
    this.shapes = new StatementShapes(fingerprints, true);
    this.mysqlShapes = new StatementShapes(fingerprints, false);
  }

  /** Add a statement; returns its fingerprint (the N+1 detector groups by it). */
  add(e: StatementEvent): string {
    const shape = (e.record.rows === undefined ? this.shapes : this.mysqlShapes).of(e.sql);
    const fp = shape.fingerprint;
    let a = this.byFingerprint.get(fp);
    if (!a) {
      a = new Aggregate(fp, numberParams(shape.normalised), {
        sql: detach(e.sql),
        parameters: detach(e.parameters),
        durationMs: e.durationMs,
      });
      this.byFingerprint.set(fp, a);
    }
    a.calls++;
    this.statements++;
    const ms = e.durationMs;
    if (ms !== null) {
      const us = Math.round(ms * 1000);
      a.totalUs += us;
      this.totalUs += us;
      a.histogram.add(ms);
      if (ms < a.minMs) a.minMs = ms;
      if (ms > a.maxMs) {
        a.maxMs = ms;
        a.example = { sql: detach(e.sql), parameters: detach(e.parameters), durationMs: ms };
      }
    }
    const t = e.record.time;
    if (t !== null) {
      if (a.firstSeen === null || t < a.firstSeen) a.firstSeen = t;
      if (a.lastSeen === null || t > a.lastSeen) a.lastSeen = t;
    }
    const r = e.record;
    if (r.rows) {
      a.rows ??= { sent: 0, examined: 0, fullScans: 0 };
      a.rows.sent += r.rows.sent;
      a.rows.examined += r.rows.examined;
      if (r.rows.fullScan) a.rows.fullScans++;
    }
    if (r.user) a.users.add(r.user);
    if (r.database) a.databases.add(r.database);
    if (r.application) a.applications.add(r.application);
    return fp;
  }

  state(): WorkloadState {
    return {
      statements: this.statements,
      totalUs: this.totalUs,
      aggregates: [...this.byFingerprint.values()].map((a) => ({
        fingerprint: a.fingerprint,
        query: a.query,
        calls: a.calls,
        totalUs: a.totalUs,
        maxMs: a.maxMs,
        minMs: a.minMs,
        firstSeen: a.firstSeen,
        lastSeen: a.lastSeen,
        buckets: a.histogram.state(),
        rows: a.rows,
        example: a.example,
        users: a.users.values(),
        databases: a.databases.values(),
        applications: a.applications.values(),
      })),
    };
  }

  /** Add what another reader counted (a later part of the same input: the earlier query text stays). */
  merge(state: WorkloadState): void {
    this.statements += state.statements;
    this.totalUs += state.totalUs;
    for (const s of state.aggregates) {
      let a = this.byFingerprint.get(s.fingerprint);
      if (!a) {
        a = new Aggregate(s.fingerprint, s.query, s.example);
        this.byFingerprint.set(s.fingerprint, a);
      }
      a.calls += s.calls;
      a.totalUs += s.totalUs;
      a.histogram.merge(s.buckets);
      if (s.rows) {
        a.rows ??= { sent: 0, examined: 0, fullScans: 0 };
        a.rows.sent += s.rows.sent;
        a.rows.examined += s.rows.examined;
        a.rows.fullScans += s.rows.fullScans;
      }
      if (s.minMs < a.minMs) a.minMs = s.minMs;
      if (s.maxMs > a.maxMs) {
        a.maxMs = s.maxMs;
        a.example = s.example;
      }
      if (s.firstSeen !== null && (a.firstSeen === null || s.firstSeen < a.firstSeen))
        a.firstSeen = s.firstSeen;
      if (s.lastSeen !== null && (a.lastSeen === null || s.lastSeen > a.lastSeen)) a.lastSeen = s.lastSeen;
      for (const n of s.users) a.users.add(n);
      for (const n of s.databases) a.databases.add(n);
      for (const n of s.applications) a.applications.add(n);
    }
  }

  queryOf(fingerprint: string): string {
    return this.byFingerprint.get(fingerprint)?.query ?? "";
  }

  /** Heaviest first: by total time, then calls. */
  results(): StatementStats[] {
    return [...this.byFingerprint.values()]
      .map((a) => ({
        fingerprint: a.fingerprint,
        query: a.query,
        calls: a.calls,
        timedCalls: a.histogram.count,
        totalMs: a.totalUs / 1000,
        share: this.totalUs > 0 ? Math.round((a.totalUs / this.totalUs) * 10000) / 10000 : 0,
        meanMs: round(a.histogram.count ? a.totalUs / 1000 / a.histogram.count : 0),
        // A bucket's middle may fall outside what was seen (one call: p95 would differ from max).
        p50Ms: round(a.clamp(a.histogram.quantile(0.5))),
        p95Ms: round(a.clamp(a.histogram.quantile(0.95))),
        p99Ms: round(a.clamp(a.histogram.quantile(0.99))),
        maxMs: round(a.maxMs),
        rowsSent: a.rows?.sent ?? null,
        rowsExamined: a.rows?.examined ?? null,
        fullScans: a.rows?.fullScans ?? null,
        firstSeen: a.firstSeen,
        lastSeen: a.lastSeen,
        example: a.example,
        users: a.users.values(),
        databases: a.databases.values(),
        applications: a.applications.values(),
      }))
      .sort((x, y) => y.totalMs - x.totalMs || y.calls - x.calls);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
