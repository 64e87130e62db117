/** Statements of a log grouped by fingerprint, with their calls, time, percentiles and who ran them. */
import { DurationHistogram } from "./duration-histogram.js";
import { type Fingerprinter, normaliseSql } from "./normalise-sql.js";
import type { StatementEvent } from "./statement-events.js";

export interface StatementStats {
  fingerprint: string;
  /** Normalised text, constants as $1. */
  query: string;
  calls: number;
  /** Calls logged with a duration (log_statement without log_duration gives none). */
  timedCalls: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** The slowest call as logged, with its parameters. */
  example: { sql: string; parameters: string | null; durationMs: number | null };
  users: string[];
  databases: string[];
  applications: string[];
}

const MAX_NAMES = 10;

class Aggregate {
  calls = 0;
  totalMs = 0;
  maxMs = 0;
  firstSeen: number | null = null;
  lastSeen: number | null = null;
  readonly histogram = new DurationHistogram();
  example: StatementStats["example"];
  readonly users = new Set<string>();
  readonly databases = new Set<string>();
  readonly applications = new Set<string>();
  constructor(
    readonly fingerprint: string,
    readonly query: string,
    e: StatementEvent,
  ) {
    this.example = { sql: e.sql, parameters: e.parameters, durationMs: e.durationMs };
  }
}

export class LogWorkload {
  statements = 0;
  totalMs = 0;
  private readonly byFingerprint = new Map<string, Aggregate>();
  /** Raw text → [fingerprint, normalised]: repeated statements skip normalising entirely. */
  private readonly seen = new Map<string, [string, string]>();

  constructor(private readonly fingerprints: Fingerprinter) {}

  /** Add a statement; returns its fingerprint (the N+1 detector groups by it). */
  add(e: StatementEvent): string {
    let known = this.seen.get(e.sql);
    if (!known) {
      const normalised = normaliseSql(e.sql);
      known = [this.fingerprints.of(normalised, e.sql), normalised];
      if (this.seen.size < 100_000) this.seen.set(e.sql, known);
    }
    const [fp, normalised] = known;
    let a = this.byFingerprint.get(fp);
    if (!a) {
      a = new Aggregate(fp, numberParams(normalised), e);
      this.byFingerprint.set(fp, a);
    }
    a.calls++;
    this.statements++;
    const ms = e.durationMs;
    if (ms !== null) {
      a.totalMs += ms;
      this.totalMs += ms;
      a.histogram.add(ms);
      if (ms > a.maxMs) {
        a.maxMs = ms;
        a.example = { sql: e.sql, parameters: e.parameters, durationMs: ms };
      }
    }
    const t = e.record.time;
    if (t !== null) {
      if (a.firstSeen === null || t < a.firstSeen) a.firstSeen = t;
      if (a.lastSeen === null || t > a.lastSeen) a.lastSeen = t;
    }
    const r = e.record;
    if (r.user && a.users.size < MAX_NAMES) a.users.add(r.user);
    if (r.database && a.databases.size < MAX_NAMES) a.databases.add(r.database);
    if (r.application && a.applications.size < MAX_NAMES) a.applications.add(r.application);
    return fp;
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
        totalMs: round(a.totalMs),
        meanMs: round(a.histogram.count ? a.totalMs / a.histogram.count : 0),
        p50Ms: round(a.histogram.quantile(0.5)),
        p95Ms: round(a.histogram.quantile(0.95)),
        p99Ms: round(a.histogram.quantile(0.99)),
        maxMs: round(a.maxMs),
        firstSeen: a.firstSeen,
        lastSeen: a.lastSeen,
        example: a.example,
        users: [...a.users],
        databases: [...a.databases],
        applications: [...a.applications],
      }))
      .sort((x, y) => y.totalMs - x.totalMs || y.calls - x.calls);
  }
}

/** "... = $1 and b = $1" → "... = $1 and b = $2": the placeholders numbered as pg_stat_statements shows them. */
function numberParams(normalised: string): string {
  let n = 0;
  return normalised.replace(/\$1\b/g, () => `$${++n}`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
