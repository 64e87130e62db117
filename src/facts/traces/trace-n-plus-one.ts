/**
 * N+1 patterns in traces: under one parent span (the request handler, the resolver, the loop's function), at
 * least minRepeats database spans of one statement shape, after a different statement (the source, when there is
 * one). Repeats that overlap in time are concurrent N+1s (`Promise.all` over rows), which detectors that only look
 * for sequential runs miss. Span text usually has placeholders and no values: repeats count by shape and parent.
 */
import { redactSecrets } from "../../util/secret-sql-text.js";
import type { Fingerprinter } from "../logs/fingerprinter.js";
import { inDialect, type SqlDialect } from "../logs/n-plus-one.js";
import type { DbSpan } from "./otlp-spans.js";

export interface TraceNPlusOne {
  service: string | null;
  /** db.system(.name) of the repeated spans: "postgresql", "mysql" ... */
  system: string | null;
  /** Name of the span the repeats hang under ("GET /orders"), or null for root-level spans. */
  parent: string | null;
  source: { query: string } | null;
  repeated: { fingerprint: string; query: string };
  /** Parent spans (requests) in which the pattern happened. */
  occurrences: number;
  /** Of those, how many ran the repeats concurrently. */
  concurrent: number;
  repeats: { min: number; median: number; max: number };
  /** Database time of all repeats, and the wall-clock time they covered. */
  totalMs: number;
  wallMs: number;
  wastedMs: number;
  exampleTraceIds: string[];
  /** Span texts as recorded (with values, when the instrumentation keeps them). */
  examples: string[];
}

/** Node's OpenTelemetry SDK records span starts to the millisecond: a sequential call may seem to start up to
 * 1 ms before the previous one ended. Only a longer overlap counts as concurrent. */
const CLOCK_SLACK_NS = 1_000_000n;

/** A database span with its statement's shape (placeholders numbered) and fingerprint. */
export interface ShapedSpan extends DbSpan {
  fingerprint: string;
  shape: string;
}

/** Shape every span once: the N+1 search and the statement summary both group by it. */
export function shapeSpans(spans: DbSpan[], fingerprints: Fingerprinter): ShapedSpan[] {
  return spans.map((s) => {
    const { normalised, fingerprint } = fingerprints.shape(numberQuestionMarks(s.query));
    return { ...s, shape: normalised, fingerprint };
  });
}

export function findTraceNPlusOne(
  spans: ShapedSpan[],
  parentName: (traceId: string, spanId: string) => string | undefined,
  options: { minRepeats: number },
): TraceNPlusOne[] {
  const groups = new Map<string, ShapedSpan[]>();
  for (const s of spans) {
    const key = `${s.traceId}/${s.parentSpanId ?? ""}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const patterns = new Map<string, Omit<TraceNPlusOne, "repeats" | "wastedMs"> & { counts: number[] }>();
  for (const group of groups.values()) {
    group.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
    const byShape = new Map<string, ShapedSpan[]>();
    for (const s of group) {
      const same = byShape.get(s.fingerprint);
      if (same) same.push(s);
      else byShape.set(s.fingerprint, [s]);
    }
    for (const [fingerprint, repeats] of byShape) {
      if (repeats.length < options.minRepeats) continue;
      // The same text with no placeholder each time is one statement run again, not a loop over rows.
      const texts = new Set(repeats.map((r) => r.query));
      if (texts.size === 1 && !/\$\d|\?/.test(repeats[0]?.query ?? "")) continue;
      const first = repeats[0] as ShapedSpan;
      const source =
        group
          .filter((s) => s.fingerprint !== fingerprint && s.endNs <= first.startNs + CLOCK_SLACK_NS)
          .at(-1) ?? null;
      let concurrent = false;
      let reach = first.endNs;
      for (const r of repeats.slice(1)) {
        if (r.startNs + CLOCK_SLACK_NS < reach) concurrent = true;
        if (r.endNs > reach) reach = r.endNs;
      }
      const parent = first.parentSpanId ? (parentName(first.traceId, first.parentSpanId) ?? null) : null;
      const key = `${first.service}|${parent}|${source?.fingerprint ?? ""}|${fingerprint}`;
      let p = patterns.get(key);
      if (!p) {
        p = {
          service: first.service,
          system: first.system,
          parent,
          source: source ? { query: source.shape } : null,
          repeated: { fingerprint, query: first.shape },
          occurrences: 0,
          concurrent: 0,
          counts: [],
          totalMs: 0,
          wallMs: 0,
          exampleTraceIds: [],
          // Span texts as recorded may hold keys and passwords (pgp_sym_decrypt(ssn, 'key')): hidden here.
          examples: [...texts].slice(0, 3).map((t) => redactSecrets(t, dialectOf(first.system))),
        };
        patterns.set(key, p);
      }
      p.occurrences++;
      if (concurrent) p.concurrent++;
      p.counts.push(repeats.length);
      p.totalMs += repeats.reduce((sum, r) => sum + r.durationMs, 0);
      p.wallMs += Number(reach - first.startNs) / 1e6;
      if (p.exampleTraceIds.length < 3) p.exampleTraceIds.push(first.traceId);
    }
  }
  return [...patterns.values()]
    .map(({ counts, ...p }) => {
      counts.sort((a, b) => a - b);
      const median = counts[Math.floor((counts.length - 1) / 2)] ?? 0;
      const wastedMs = round(p.totalMs * (1 - 1 / Math.max(median, 1)));
      // MySQL and MariaDB spans get MySQL's placeholders.
      const dialect: SqlDialect = dialectOf(p.system);
      return {
        ...p,
        source: p.source ? { query: inDialect(p.source.query, dialect) } : null,
        repeated: { ...p.repeated, query: inDialect(p.repeated.query, dialect) },
        repeats: { min: counts[0] ?? 0, median, max: counts.at(-1) ?? 0 },
        totalMs: round(p.totalMs),
        wallMs: round(p.wallMs),
        wastedMs,
      };
    })
    .sort((a, b) => b.wastedMs - a.wastedMs);
}

/** MySQL and MariaDB spans get MySQL's `?` placeholders and IN rewrites. */
export function dialectOf(system: string | null): SqlDialect {
  return /^(mysql|mariadb)$/i.test(system ?? "") ? "mysql" : "postgres";
}

/** JDBC-style `?` placeholders (outside quotes) as `$1, $2 ...`, so the PostgreSQL parser reads the text. */
export function numberQuestionMarks(sql: string): string {
  if (!sql.includes("?")) return sql;
  let out = "";
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === "?" ? `$${++n}` : ch;
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
