/**
 * `dbopt logs` as a library function: logs → statements by fingerprint, N+1 patterns, the other events, and the
 * slowest auto_explain plans through the plan analyzer. Large plain files are read by worker threads, one byte
 * range each, merged in order; compressed files, JSON arrays and standard input stream through this thread.
 */
import { existsSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { FileBytes } from "../facts/logs/file-bytes.js";
import { type HerokuMetricsSummary, mergeHerokuMetrics } from "../facts/logs/heroku-metrics.js";
import { jsonDocuments } from "../facts/logs/json-array-lines.js";
import {
  LogAnalysis,
  type LogAnalysisResult,
  type LogAnalysisState,
  type LogFilter,
} from "../facts/logs/log-analysis.js";
import {
  binaryInputError,
  fileCompression,
  fileLinesReversed,
  readAsStream,
} from "../facts/logs/log-input.js";
import { prefixRegex } from "../facts/logs/log-line-prefix.js";
import { logParts } from "../facts/logs/log-parts.js";
import { loadLogSqlParser } from "../facts/logs/log-sql-parser.js";
import {
  DETECT_LINES,
  detectLog,
  type LogFormat,
  openLog,
  type ReadStats,
  readerPrefix,
  readLog,
} from "../facts/logs/read-logs.js";
import { numberQuestionMarks } from "../facts/traces/trace-n-plus-one.js";
import type { Finding } from "../findings/finding.js";
import { InputError } from "../util/input-error.js";
import type { LogPartRange, LogPartTask } from "./log-part-worker.js";
import { withoutLogSecrets } from "./log-report-secrets.js";
import type { NPlusOneVerdict } from "./n-plus-one-verdicts.js";

export interface LogReport extends Omit<LogAnalysisResult, "slowestPlans" | "nPlusOne"> {
  kind: "logs";
  /** The N+1 patterns found, each with the rule workload/n-plus-one's verdict. */
  nPlusOne: Array<LogAnalysisResult["nPlusOne"][number] & NPlusOneVerdict>;
  /** What the log rules found (workload/n-plus-one), ranked, each with its evidence and fix. */
  findings: Finding[];
  files: Array<{ name: string } & ReadStats>;
  seconds: number;
  /** Worker threads that read the files (1: this thread alone). */
  threads: number;
  /** The slowest auto_explain plans and what the plan analyzer finds in them. */
  slowestPlans: Array<{
    durationMs: number;
    time: number | null;
    /** auto_explain's "Query Text:", when logged. */
    sql: string | null;
    nodes: number;
    findings: Finding[];
    /** Why the plan could not be read (auto_explain.log_format other than text or json, cut lines). */
    error: string | null;
  }>;
}

export interface LogOptions {
  prefix?: string;
  format?: LogFormat;
  minRepeats?: number;
  top?: number;
  /** Worker threads for large plain files; default: the machine's cores. */
  jobs?: number;
  /** Files at least this large are split across workers (default 64 MB). */
  parallelFromBytes?: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Only this part of the logs: a time window, a database, a user, an application. */
  filter?: LogFilter;
}

const MAX_GAP_MS = 1000;
const WORKER = new URL("./log-part-worker.js", import.meta.url);
const RANGES_PER_THREAD = 4;
const MIN_RANGE_BYTES = 8 << 20;

export async function analyzeLogs(given: string[], options: LogOptions = {}): Promise<LogReport> {
  const started = performance.now();
  const paths = await expandDirectories(given);
  // Loading the parser takes a few hundred milliseconds: large files start their worker threads first, so that
  // they boot while it loads. Awaited before the first record reaches the analysis (only it fingerprints).
  const parser = loadLogSqlParser();
  parser.catch(() => {});
  const settings = {
    minRepeats: options.minRepeats ?? 5,
    maxGapMs: MAX_GAP_MS,
    filter: options.filter ?? null,
  };
  const analysis = new LogAnalysis(settings);
  const jobs = options.jobs ?? idleCores();
  const sizes = await Promise.all(
    paths.map((p) =>
      p === "-"
        ? 0
        : stat(p).then(
            (s) => s.size,
            () => 0,
          ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, total);
  };
  let threads = 1;
  const files: LogReport["files"] = [];
  for (const [i, path] of paths.entries()) {
    const name = path === "-" ? "standard input" : path;
    // Standard input and a named pipe are read once, as a stream: no head read twice, no size, no offsets.
    const streamed = path === "-" || (await readAsStream(path));
    const size = sizes[i] ?? 0;
    const compressed = path !== "-" && (await fileCompression(path)) !== null;
    // A log exported newest first is read last line first, in the order the server wrote it, by this thread.
    const reversed = !compressed && !streamed && (await newestFirst(path, options));
    if (
      jobs > 1 &&
      !reversed &&
      !compressed &&
      size >= (options.parallelFromBytes ?? 64 << 20) &&
      existsSync(fileURLToPath(WORKER))
    ) {
      const read = await readInParts(path, size, jobs, settings, options, progress, analysis, parser);
      if (read) {
        files.push({ name, ...read.stats });
        threads = Math.max(threads, read.threads);
        continue;
      }
    }
    const opened = reversed ? null : await openLog(path, compressed ? { onCompressedBytes: progress } : {});
    // A plain file is read as bytes (openLog has checked what it is; its own reader is left unused).
    const input = reversed
      ? fileLinesReversed(path, size)
      : compressed || streamed
        ? (opened as Awaited<ReturnType<typeof openLog>>)
        : new FileBytes(path, 0, size);
    await parser;
    const stats = await readLog(name, input, (r) => analysis.record(r), {
      ...options,
      ...(compressed ? {} : { onBytes: progress }),
    });
    analysis.flush();
    files.push({ name, ...stats, reversed });
  }
  await parser;
  const dialect = files.every((f) => f.format === "mysql-slow") ? "mysql" : "postgres";
  const result = analysis.result(dialect);
  // The rule reads PostgreSQL's placeholders; a MySQL log's `?` are numbered back.
  const pg = (q: string) => (dialect === "mysql" ? numberQuestionMarks(q) : q);
  // The rules and the plan analyzer are loaded only when the log has something for them (N+1 runs, plans): with
  // the rule registry and the deparser they are a tenth of a second of a run's start-up.
  const { findings, verdicts } =
    result.nPlusOne.length === 0
      ? { findings: [], verdicts: [] }
      : (await import("./n-plus-one-verdicts.js")).nPlusOneVerdicts(
          result.nPlusOne.map((n) => ({
            where: null,
            source: pg(n.source.query),
            repeated: pg(n.repeated.query),
            occurrences: n.occurrences,
            repeats: n.repeats,
            totalMs: n.totalMs,
            wastedMs: n.wastedMs,
            inTransaction: n.inTransaction,
            concurrent: null,
          })),
          result.totalMs,
          dialect,
        );
  // Secrets in statement texts are hidden here, not by a caller: the library's callers (advise --log-files binds the
  // examples and their parameters) get the same report the CLI prints.
  return withoutLogSecrets({
    kind: "logs",
    files,
    seconds: Math.round(performance.now() - started) / 1000,
    threads,
    ...result,
    nPlusOne: result.nPlusOne.map((n, i) => ({ ...n, ...(verdicts[i] as NPlusOneVerdict) })),
    findings,
    statements: options.top ? result.statements.slice(0, options.top) : result.statements,
    slowestPlans: result.slowestPlans.length ? await analyzeLoggedPlans(result.slowestPlans) : [],
  });
}

/**
 * A large file in byte ranges: this thread reads the first (it has its modules loaded already) into `analysis`,
 * then it and the worker threads take the others in turn; their results merge into `analysis` in file order.
 */
async function readInParts(
  path: string,
  size: number,
  jobs: number,
  settings: { minRepeats: number; maxGapMs: number; filter: LogFilter | null },
  options: LogOptions,
  progress: (bytes: number) => void,
  analysis: LogAnalysis,
  parser: Promise<void>,
): Promise<{ stats: Omit<LogReport["files"][number], "name">; threads: number } | null> {
  const head = await readHead(path);
  const binary = binaryInputError(path, head.join("\n"));
  if (binary) throw binary;
  // Pretty-printed JSON's objects span lines: one thread reads it.
  if (jsonDocuments(head.slice(0, 5).join("\n")) !== null) return null;
  const { format, prefix } = detectLog(path, head, {
    format: options.format ?? null,
    prefix: options.prefix ?? null,
  });
  const full = readerPrefix(format, prefix);
  // More ranges than threads, taken in turn by whichever thread is free: a thread that starts late or gets less
  // of the CPU (other work on the machine) reads fewer ranges instead of holding up the others. Small files keep
  // one range per thread.
  const count = Math.max(jobs, Math.min(jobs * RANGES_PER_THREAD, Math.ceil(size / MIN_RANGE_BYTES)));
  const ranges = await logParts(path, size, count, format, full === null ? null : prefixRegex(full));
  const results: Array<{ state: LogAnalysisState; stats: ReadStats } | undefined> = [];
  let taken = 1;
  const take = (): LogPartRange | null => {
    const range = ranges[taken];
    return range ? { index: taken++, ...range } : null;
  };
  const task: LogPartTask = { path, format, prefix, ...settings };
  // Started before this thread reads, so that they load their modules while it compiles the parser.
  const workers = Array.from(
    { length: Math.min(jobs, ranges.length) - 1 },
    () => new Worker(WORKER, { workerData: task }),
  );
  const finished = workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.on(
          "message",
          (m: {
            bytes: number;
            index?: number;
            stats?: ReadStats;
            state?: LogAnalysisState;
            error?: { message: string; hint: string | null };
          }) => {
            progress(m.bytes);
            if (m.index !== undefined && m.state && m.stats) {
              results[m.index] = { state: m.state, stats: m.stats };
              worker.postMessage(take());
            }
            if (m.error)
              reject(
                m.error.hint === null
                  ? new Error(m.error.message)
                  : new InputError(m.error.message, m.error.hint),
              );
          },
        );
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (code !== 0) reject(new Error(`a log reader thread stopped with code ${code}`));
          else resolve();
        });
      }),
  );
  /** Stop the workers on a failure here; returns the error to throw. */
  const stop = (error: unknown) => {
    for (const f of finished) f.catch(() => {});
    for (const w of workers) void w.terminate();
    return error;
  };
  try {
    await parser;
  } catch (error) {
    throw stop(error);
  }
  // A worker's first range comes once the parser is compiled: V8 shares the WebAssembly this thread compiled, so
  // each worker then loads the parser in a few milliseconds (side by side with this thread it costs the compile).
  // Two ranges each: a worker that finishes one starts the next at once, while this thread, busy with a range of
  // its own, has not yet read the worker's message asking for more.
  for (const w of workers) w.postMessage(take());
  for (const w of workers) w.postMessage(take());
  const read = (range: { start: number; end: number }, into: LogAnalysis) =>
    readLog(path, new FileBytes(path, range.start, range.end), (r) => into.record(r), {
      format,
      ...(prefix !== null ? { prefix } : {}),
      onBytes: progress,
    });
  let mine: ReadStats;
  try {
    mine = await read(ranges[0] as { start: number; end: number }, analysis);
    analysis.flush();
    // Reading a range never yields to the event loop (the chunks are read synchronously): between ranges, let
    // the workers' messages in, so that they are handed their next range before this thread takes one.
    const yieldToWorkers = () => new Promise((resolve) => setImmediate(resolve));
    for (let range = await yieldToWorkers().then(take); range; range = await yieldToWorkers().then(take)) {
      const part = new LogAnalysis(settings, true, analysis.fingerprints);
      const stats = await read(range, part);
      part.flush();
      results[range.index] = { state: part.state(), stats };
    }
    await Promise.all(finished);
  } catch (error) {
    throw stop(error);
  }
  const done = results.slice(1) as Array<{ state: LogAnalysisState; stats: ReadStats }>;
  if (done.length !== ranges.length - 1 || done.some((r) => !r))
    throw new Error("a range of the log was not read");
  for (const r of done) analysis.merge(r.state);
  const all = [mine, ...done.map((r) => r.stats)];
  const ignored = new Map<string, number>();
  for (const st of all) for (const i of st.ignored) ignored.set(i.what, (ignored.get(i.what) ?? 0) + i.lines);
  return {
    stats: {
      format,
      prefix,
      bytes: size,
      records: all.reduce((n, s) => n + s.records, 0),
      skipped: all.reduce((n, s) => n + s.skipped, 0),
      firstSkipped: all.find((s) => s.firstSkipped !== null)?.firstSkipped ?? null,
      ignored: [...ignored].map(([what, lines]) => ({ what, lines })),
      newestFirst: all.some((st) => st.newestFirst),
      reversed: false,
      ...(format === "logplex"
        ? {
            herokuMetrics: all.reduce(
              (m, st) => mergeHerokuMetrics(m, st.herokuMetrics ?? null),
              null as HerokuMetricsSummary | null,
            ),
          }
        : {}),
    },
    threads: workers.length + 1,
  };
}

/**
 * Threads for large files by default: the cores not already busy. A worker thread has a fixed cost of about
 * 0.5–1 s of CPU (a Node environment, the module graph, its own parser instance, its own JIT warm-up): measured
 * in-process on a 100 MB pgbench log, one thread took 1.65 s of CPU and two 2.1–2.6 s. On a machine whose cores
 * are all busy (load average at or above the cores) the second thread gets no core of its own, so it only adds
 * that cost: the reason two threads were slower than one.
 */
function idleCores(): number {
  const cores = availableParallelism();
  return Math.max(1, Math.min(cores, Math.round(cores - (loadavg()[0] ?? 0))));
}

/** A directory stands for the files in it (a server's log directory), by name: rotated logs sort in order. */
async function expandDirectories(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = path === "-" ? null : await stat(path).catch(() => null);
    if (!info?.isDirectory()) {
      out.push(path);
      continue;
    }
    const names = (await readdir(path)).sort();
    const files: string[] = [];
    for (const name of names) if ((await stat(join(path, name))).isFile()) files.push(join(path, name));
    if (files.length === 0)
      throw new InputError(`${path} holds no files`, "give a log file or a folder of logs");
    out.push(...files);
  }
  return out;
}

/**
 * Whether a plain file's first lines run newest first (a log viewer's download), read off the records they hold.
 * Compressed files and JSON arrays are not read backwards (the caller does not ask for the first, this says no to
 * the second): the report says they run newest first instead.
 */
async function newestFirst(path: string, options: LogOptions): Promise<boolean> {
  const head = await readHead(path);
  if (jsonDocuments(head.slice(0, 5).join("\n")) !== null) return false;
  try {
    const stats = await readLog(path, [head.slice(0, -1).join("\n")], () => {}, {
      ...(options.format ? { format: options.format } : {}),
      ...(options.prefix ? { prefix: options.prefix } : {}),
    });
    return stats.newestFirst;
  } catch {
    // The reading proper says what is wrong with the file.
    return false;
  }
}

/** The first lines of a file, for format and prefix detection. */
async function readHead(path: string): Promise<string[]> {
  const file = await open(path, "r");
  try {
    const buf = Buffer.alloc(256 << 10);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    return buf.toString("utf8", 0, bytesRead).split("\n").slice(0, DETECT_LINES);
  } finally {
    await file.close();
  }
}

async function analyzeLoggedPlans(
  plans: LogAnalysisResult["slowestPlans"],
): Promise<LogReport["slowestPlans"]> {
  const [{ parsePlan }, { reportOnPlan }] = await Promise.all([
    import("../facts/plan/plan-input.js"),
    import("./plan-report.js"),
  ]);
  return plans.map(({ text, durationMs, time }) => {
    const sql = /^Query Text: (.*)$/m.exec(text)?.[1] ?? null;
    const planText = text.replace(/^Query Text: .*\n/m, "");
    try {
      const report = reportOnPlan(parsePlan(planText), { source: "auto_explain", sql, withoutTree: true });
      return { durationMs, time, sql, nodes: report.summary.nodes, findings: report.findings, error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { durationMs, time, sql, nodes: 0, findings: [], error: message };
    }
  });
}
