/**
 * Read PostgreSQL logs (stderr with any log_line_prefix, csvlog, jsonlog) and MySQL/MariaDB slow query logs,
 * plain or gzip, files or stdin, as a
 * stream, one chunk at a time, and hand every message to the consumers. Memory stays bounded by the aggregates,
 * whatever the size of the input.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { InputError } from "../../util/input-error.js";
import { CsvLogReader } from "./csv-log-reader.js";
import { inferPrefix } from "./infer-prefix.js";
import { JsonLogReader } from "./json-log-reader.js";
import { COMMON_PREFIXES, prefixRegex } from "./log-line-prefix.js";
import type { LogRecord } from "./log-record.js";
import { MYSQL_SLOW_START, MysqlSlowLogReader } from "./mysql-slow-log-reader.js";
import { StderrLogReader } from "./stderr-log-reader.js";
import { isSyslogLine, SYSLOG_PREFIX, syslogMessage, syslogToStderr } from "./syslog-lines.js";

export type LogFormat = "stderr" | "syslog" | "csvlog" | "jsonlog" | "mysql-slow";

export interface ReadStats {
  format: LogFormat;
  /** The log_line_prefix used for stderr logs (given or detected). */
  prefix: string | null;
  bytes: number;
  records: number;
  /** Lines that were not log messages (cut, corrupted, another program's) and were skipped. */
  skipped: number;
  firstSkipped: string | null;
}

export const CSV_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z+\-0-9:]+)?,/;
/** Format and prefix are read off this many first lines, whoever reads the file (this thread or workers). */
export const DETECT_LINES = 200;
const CHUNK = 64 << 10;

/** A log's text in chunks: a stream (standard input, gzip), or chunks read synchronously from a plain file. */
export type LogInput = Readable | Iterable<string>;

/**
 * Open a path ("-" for standard input), un-gzipping when the data starts with gzip's magic bytes. A plain file
 * is read synchronously in 64 kB chunks: nothing else runs meanwhile, and it spares the stream machinery (a
 * tenth of the time on large logs).
 */
export async function openLog(path: string): Promise<LogInput> {
  if (path !== "-") {
    if (await isGzipFile(path)) return createReadStream(path).pipe(createGunzip());
    return fileChunks(path, 0, (await stat(path)).size);
  }
  // Standard input says whether it is gzip only in its first bytes: wait for them.
  const stdin = process.stdin;
  await new Promise<void>((resolve, reject) => {
    stdin.once("readable", resolve);
    stdin.once("end", resolve);
    stdin.once("error", reject);
  });
  const head = stdin.read(2) as Buffer | null;
  if (head) stdin.unshift(head);
  return head && head[0] === 0x1f && head[1] === 0x8b ? stdin.pipe(createGunzip()) : stdin;
}

/** Bytes start..end of a file as text, in chunks cut on UTF-8 character boundaries. */
export function* fileChunks(path: string, start: number, end: number): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder("utf8");
    for (let pos = start; pos < end; ) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
      if (n === 0) break;
      pos += n;
      yield decoder.write(buf.subarray(0, n));
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

/** Whether a file starts with gzip's magic bytes; a one-line error when it does not exist. */
export async function isGzipFile(path: string): Promise<boolean> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new InputError(
        `${path} does not exist`,
        "give the path of a PostgreSQL log file, or - for standard input",
      );
    throw e;
  }
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await file.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await file.close();
  }
}

export async function readLog(
  name: string,
  input: LogInput,
  onRecord: (r: LogRecord) => void,
  options: { prefix?: string; format?: LogFormat; onBytes?: (bytes: number) => void } = {},
): Promise<ReadStats> {
  let bytes = 0;
  let rest = "";
  let reader: { line(text: string): void; end(): void } | null = null;
  let csv: CsvLogReader | null = null;
  let stderr: StderrLogReader | null = null;
  let json: JsonLogReader | null = null;
  let slow: MysqlSlowLogReader | null = null;
  let format: LogFormat | null = options.format ?? null;
  let prefix: string | null = options.prefix ?? null;
  const buffered: string[] = [];

  const start = (lines: string[]) => {
    // The first lines only, as when a large file is read in parts: the same log gets the same reading.
    ({ format, prefix } = detectLog(name, lines.slice(0, DETECT_LINES), { format, prefix }));
    if (format === "csvlog") {
      csv = new CsvLogReader(onRecord);
      return;
    }
    if (format === "jsonlog") {
      json = new JsonLogReader(onRecord);
      reader = { line: (t) => json?.line(t), end: () => {} };
      return;
    }
    if (format === "mysql-slow") {
      slow = new MysqlSlowLogReader(onRecord);
      reader = slow;
      return;
    }
    if (format === "syslog") {
      const lines = new StderrLogReader(SYSLOG_PREFIX + (prefix ?? ""), onRecord);
      stderr = lines;
      reader = { line: (t) => lines.line(syslogToStderr(t) ?? t), end: () => lines.end() };
      return;
    }
    stderr = new StderrLogReader(prefix ?? "", onRecord);
    reader = stderr;
  };

  if ("setEncoding" in input) input.setEncoding("utf8");
  for await (const chunk of input as AsyncIterable<string> | Iterable<string>) {
    const n = Buffer.byteLength(chunk);
    bytes += n;
    options.onBytes?.(n);
    if (csv) {
      (csv as CsvLogReader).chunk(chunk);
      continue;
    }
    const text = rest + chunk;
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    // Servers on Windows end lines with CRLF.
    if (text.includes("\r\n"))
      for (const [i, l] of lines.entries()) if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
    if (!reader && !csv) {
      buffered.push(...lines);
      if (buffered.length < DETECT_LINES) continue;
      start(buffered);
      if (csv) {
        (csv as CsvLogReader).chunk(`${buffered.join("\n")}\n${rest}`);
        rest = "";
        continue;
      }
      for (const l of buffered) (reader as unknown as { line(t: string): void }).line(l);
      buffered.length = 0;
      continue;
    }
    for (const l of lines) (reader as unknown as { line(t: string): void }).line(l);
  }
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (!reader && !csv) {
    if (rest) buffered.push(rest);
    rest = "";
    if (buffered.every((l) => !l.trim()))
      throw new InputError(`${name} is empty`, "give a PostgreSQL server log");
    start(buffered);
    if (csv) (csv as CsvLogReader).chunk(`${buffered.join("\n")}\n`);
    else for (const l of buffered) (reader as unknown as { line(t: string): void }).line(l);
  } else if (rest) {
    if (csv) (csv as CsvLogReader).chunk(rest);
    else (reader as unknown as { line(t: string): void }).line(rest);
  }
  (csv as CsvLogReader | null)?.end();
  (reader as { end(): void } | null)?.end();

  const s = stderr as StderrLogReader | null;
  const j = json as JsonLogReader | null;
  const m = slow as MysqlSlowLogReader | null;
  if (m && m.records === 0)
    throw new InputError(
      `${name}: no entry of this slow query log has a Query_time and a statement`,
      `the first line not understood reads: ${clip(m.firstUnmatched)}`,
    );
  const c = csv as CsvLogReader | null;
  if (s && s.matched === 0) throw noMatch(name, prefix ?? "", s.firstUnmatched);
  if (j && j.records === 0)
    throw new InputError(
      `${name}: no line is a jsonlog record`,
      `the first line reads: ${clip(j.firstUnmatched)}`,
    );
  return {
    format: format as LogFormat,
    prefix: s ? prefix : null,
    bytes,
    records: s ? s.matched : j ? j.records : m ? m.records : (c?.records ?? 0),
    skipped: s?.unmatched ?? j?.unmatched ?? m?.unmatched ?? 0,
    firstSkipped: clipOrNull(s?.firstUnmatched ?? j?.firstUnmatched ?? m?.firstUnmatched ?? null),
  };
}

/** The format of a log and, for stderr, its log_line_prefix, from its first lines (unless given). */
export function detectLog(
  name: string,
  lines: string[],
  given: { format?: LogFormat | null; prefix?: string | null },
): { format: LogFormat; prefix: string | null } {
  const format = given.format ?? detectFormat(lines);
  if (format === "syslog") {
    // The server's own prefix follows the syslog header; second and later lines of a message have none.
    const messages = lines.map(syslogMessage).filter((l): l is string => l !== null && !l.startsWith("#011"));
    return { format, prefix: given.prefix ?? detectPrefix(name, messages) };
  }
  if (format !== "stderr") return { format, prefix: null };
  return { format, prefix: given.prefix ?? detectPrefix(name, lines) };
}

function detectFormat(lines: string[]): LogFormat {
  const first = lines.find((l) => l.trim()) ?? "";
  if (first.startsWith("{")) return "jsonlog";
  if (MYSQL_SLOW_START.test(first)) return "mysql-slow";
  if (isSyslogLine(first)) return "syslog";
  if (CSV_START.test(first)) return "csvlog";
  return "stderr";
}

/** The common prefix that matches most of the first lines, else one read off the lines themselves; an error
 * that shows a line when neither works. */
function detectPrefix(name: string, lines: string[]): string {
  const candidates = lines.filter((l) => l && l.charCodeAt(0) !== 9);
  let best: { prefix: string; hits: number } | null = null;
  for (const prefix of COMMON_PREFIXES) {
    const re = prefixRegex(prefix);
    // A prefix with more named fields wins ties: "%m [%p] %q%u@%d " over "%m [%p] ".
    const hits = candidates.filter((l) => re.test(l)).length + prefix.length / 1000;
    if (!best || hits > best.hits) best = { prefix, hits };
  }
  if (!best || best.hits < Math.max(1, candidates.length * 0.8)) {
    const inferred = inferPrefix(candidates);
    if (inferred !== null) return inferred;
    throw noMatch(
      name,
      null,
      candidates.find((l) => !COMMON_PREFIXES.some((p) => prefixRegex(p).test(l))) ?? candidates[0] ?? "",
    );
  }
  return best.prefix;
}

function noMatch(name: string, prefix: string | null, example: string | null): InputError {
  return new InputError(
    `${name}: ${prefix === null ? "no known log_line_prefix matches its lines" : `no line matches log_line_prefix '${prefix}'`}; a line reads: ${clip(example)}`,
    "pass the server's setting with --prefix (SHOW log_line_prefix), e.g. --prefix '%m [%p] %q%u@%d '",
  );
}

function clipOrNull(s: string | null): string | null {
  return s === null ? null : clip(s);
}

function clip(s: string | null): string {
  const t = (s ?? "").trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}
