/** `dbopt traces` as a library function: OTLP/JSON files → database statements by shape, and N+1 patterns. */
import { performance } from "node:perf_hooks";
import { DurationHistogram } from "../facts/logs/duration-histogram.js";
import { Fingerprinter } from "../facts/logs/fingerprinter.js";
import { inDialect } from "../facts/logs/n-plus-one.js";
import { readTraceFiles } from "../facts/traces/read-trace-files.js";
import {
  dialectOf,
  findTraceNPlusOne,
  numberQuestionMarks,
  shapeSpans,
  type TraceNPlusOne,
} from "../facts/traces/trace-n-plus-one.js";
import { type Finding, rankFindings } from "../findings/finding.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { type NPlusOneVerdict, nPlusOneVerdicts } from "./n-plus-one-verdicts.js";

export interface TraceReport {
  kind: "traces";
  files: string[];
  seconds: number;
  spans: number;
  traces: number;
  dbSpans: number;
  systems: string[];
  statements: Array<{
    fingerprint: string;
    query: string;
    calls: number;
    totalMs: number;
    meanMs: number;
    p95Ms: number;
  }>;
  /** The N+1 patterns found, each with the rule workload/n-plus-one's verdict. */
  nPlusOne: Array<TraceNPlusOne & NPlusOneVerdict>;
  /** What the rule found, ranked, each with its evidence and fix. */
  findings: Finding[];
}

export async function analyzeTraces(
  paths: string[],
  options: { minRepeats?: number; top?: number } = {},
): Promise<TraceReport> {
  const started = performance.now();
  await loadSqlParser();
  const index = await readTraceFiles(paths);
  const spans = shapeSpans(index.db, new Fingerprinter());
  const nPlusOne = findTraceNPlusOne(spans, (t, s) => index.names.get(`${t}/${s}`), {
    minRepeats: options.minRepeats ?? 5,
  });
  const shapes = new Map<
    string,
    { query: string; calls: number; totalMs: number; histogram: DurationHistogram }
  >();
  for (const s of spans) {
    let a = shapes.get(s.fingerprint);
    if (!a) {
      a = {
        query: inDialect(s.shape, dialectOf(s.system)),
        calls: 0,
        totalMs: 0,
        histogram: new DurationHistogram(),
      };
      shapes.set(s.fingerprint, a);
    }
    a.calls++;
    a.totalMs += s.durationMs;
    a.histogram.add(s.durationMs);
  }
  const statements = [...shapes]
    .map(([fingerprint, a]) => ({
      fingerprint,
      query: a.query,
      calls: a.calls,
      totalMs: round(a.totalMs),
      meanMs: round(a.totalMs / a.calls),
      p95Ms: round(a.histogram.quantile(0.95)),
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
  return {
    kind: "traces",
    files: paths,
    seconds: Math.round(performance.now() - started) / 1000,
    spans: index.spans,
    traces: index.traces.size,
    dbSpans: index.db.length,
    systems: [...new Set(index.db.map((s) => s.system).filter((s): s is string => s !== null))],
    statements: options.top ? statements.slice(0, options.top) : statements,
    ...judged(nPlusOne, spans),
  };
}

/** Each pattern through the N+1 rule, in its own dialect (a trace may hold PostgreSQL and MySQL spans). */
function judged(
  patterns: TraceNPlusOne[],
  spans: Array<{ durationMs: number }>,
): { nPlusOne: TraceReport["nPlusOne"]; findings: Finding[] } {
  let allMs = 0;
  for (const s of spans) allMs += s.durationMs;
  const findings: Finding[] = [];
  const nPlusOne = patterns.map((p, i) => {
    const dialect = dialectOf(p.system);
    const { findings: found, verdicts } = nPlusOneVerdicts(
      [
        {
          where: p.parent,
          source: p.source ? numberQuestionMarks(p.source.query) : null,
          repeated: numberQuestionMarks(p.repeated.query),
          occurrences: p.occurrences,
          repeats: p.repeats,
          totalMs: p.totalMs,
          wastedMs: p.wastedMs,
          inTransaction: null,
          concurrent: p.concurrent,
        },
      ],
      allMs,
      dialect,
    );
    for (const f of found) findings.push({ ...f, evidence: { ...f.evidence, pattern: i } });
    return { ...p, ...(verdicts[0] as NPlusOneVerdict) };
  });
  return { nPlusOne, findings: rankFindings(findings) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
