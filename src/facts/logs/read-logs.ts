/**
 * Read PostgreSQL logs — stderr with any log_line_prefix, syslog, csvlog, jsonlog, Google Cloud SQL's Cloud
 * Logging exports, CloudNativePG's JSON, Heroku's logplex — PgBouncer logs, and MySQL/MariaDB slow query logs,
 * plain or compressed (gzip, bzip2, xz, zstd), files or stdin, as a stream, one chunk at a time, and hand every
 * message to the consumers. Memory stays bounded by the aggregates, whatever the size of the input.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import { InputError } from "../../util/input-error.js";
import { cloudSqlLines, isLogEntry } from "./cloud-sql-lines.js";
import { CsvLogReader } from "./csv-log-reader.js";
import type { FileBytes } from "./file-bytes.js";
import { HerokuMetrics, type HerokuMetricsSummary } from "./heroku-metrics.js";
import { inferPrefix } from "./infer-prefix.js";
import { JsonArrayLines, jsonDocuments } from "./json-array-lines.js";
import { isCnpgLine, JsonLogReader } from "./json-log-reader.js";
import { binaryInputError, type LogInput, OrderCheck } from "./log-input.js";
import { COMMON_PREFIXES, prefixRegex } from "./log-line-prefix.js";
import type { LogRecord } from "./log-record.js";
import { isLogplexLine, LOGPLEX_PREFIX, logplexLine, logplexMessage } from "./logplex-lines.js";
import { MYSQL_SLOW_START, MysqlSlowLogReader } from "./mysql-slow-log-reader.js";
import { isPgBouncerLine, PgBouncerLogReader } from "./pgbouncer-log.js";
import { printable } from "./printable-text.js";
import { StderrLogReader } from "./stderr-log-reader.js";
import { isSyslogLine, SYSLOG_PREFIX, syslogMessage, syslogToStderr } from "./syslog-lines.js";

export { fileChunks, type LogInput, openLog } from "./log-input.js";

import { LOG_FORMATS, type LogFormat } from "./log-formats.js";

export { LOG_FORMATS, type LogFormat };

export interface ReadStats {
  format: LogFormat;
  /** The log_line_prefix used for stderr logs (given or detected). */
  prefix: string | null;
  bytes: number;
  records: number;
  /** Lines that were not log messages (cut, corrupted, another program's) and were skipped. */
  skipped: number;
  firstSkipped: string | null;
  /** Lines known not to be server messages, left out and counted: Heroku's metrics samples, CloudNativePG's
   * instance manager, other services' entries in a Cloud Logging export. */
  ignored: Array<{ what: string; lines: number }>;
  /** The records' times mostly go back: the log was exported newest first (as read, after any reversal). */
  newestFirst: boolean;
  /** The file was exported newest first and read last line first, in the order the server wrote it. */
  reversed: boolean;
  /** What Heroku's metrics samples in a logplex log said. */
  herokuMetrics?: HerokuMetricsSummary | null;
}

/** Whether the text holds \r, U+2028 or U+2029: three native searches, faster than a character class over a chunk
 * (a one-byte string cannot hold the last two, which V8 answers without reading it). */
function hasLineTerminator(text: string): boolean {
  return text.includes("\r") || text.includes("\u2028") || text.includes("\u2029");
}
// The timestamp may be quoted (a csvlog written or re-exported with every field quoted).
export const CSV_START = /^"?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z+\-0-9:]+)?"?,/;
/** Format and prefix are read off this many first lines, whoever reads the file (this thread or workers). */
export const DETECT_LINES = 200;

/** The log_line_prefix the stderr reader uses for a format's lines once they are in stderr form. */
export function readerPrefix(format: LogFormat, prefix: string | null): string | null {
  if (format === "syslog") return SYSLOG_PREFIX + (prefix ?? "");
  if (format === "logplex") return LOGPLEX_PREFIX + (prefix ?? "");
  return prefix;
}

/** U+2028 and U+2029 in UTF-8: line terminators for a regular expression's `.`. */
const LINE_SEPARATOR = Buffer.from("\u2028", "utf8");
const PARAGRAPH_SEPARATOR = Buffer.from("\u2029", "utf8");

/**
 * Read a log. A plain file given as FileBytes is read as bytes: once its first lines show a stderr log whose
 * prefix the byte matcher reads, its lines go to the stderr reader as bytes (no string per line); until then,
 * and for every other format, its chunks are decoded to text.
 */
export async function readLog(
  name: string,
  input: LogInput | FileBytes,
  onRecord: (r: LogRecord) => void,
  options: {
    prefix?: string;
    format?: LogFormat;
    onBytes?: (bytes: number) => void;
    /** Give each record the file's line it starts on (stderr and syslog logs; advise scaling's sources). */
    lineNumbers?: boolean;
  } = {},
): Promise<ReadStats> {
  const order = new OrderCheck();
  const emit = onRecord;
  onRecord = (r) => {
    order.time(r.time);
    emit(r);
  };
  let bytes = 0;
  let rest = "";
  let reader: { line(text: string): void; end(): void } | null = null;
  let csv: CsvLogReader | null = null;
  let stderr: StderrLogReader | null = null;
  let json: JsonLogReader | null = null;
  let slow: MysqlSlowLogReader | null = null;
  let bouncer: PgBouncerLogReader | null = null;
  let format: LogFormat | null = options.format ?? null;
  let prefix: string | null = options.prefix ?? null;
  const ignored = new Map<string, number>();
  const metrics = new HerokuMetrics();
  const ignore = (what: string) => ignored.set(what, (ignored.get(what) ?? 0) + 1);
  const buffered: string[] = [];
  // A JSON array (a console export) is read as one element per line; undefined until the input's start is seen.
  let array: JsonArrayLines | null | undefined;

  const start = (lines: string[]) => {
    // The first lines only, as when a large file is read in parts: the same log gets the same reading.
    ({ format, prefix } = detectLog(name, lines.slice(0, DETECT_LINES), { format, prefix }));
    if (format === "csvlog") {
      csv = new CsvLogReader(onRecord);
      return;
    }
    if (format === "jsonlog" || format === "cnpg") {
      const j = new JsonLogReader(onRecord, format);
      json = j;
      reader = { line: (t) => j.line(t), end: () => {} };
      return;
    }
    if (format === "mysql-slow") {
      slow = new MysqlSlowLogReader(onRecord);
      reader = slow;
      return;
    }
    if (format === "pgbouncer") {
      bouncer = new PgBouncerLogReader(onRecord);
      reader = bouncer;
      return;
    }
    const out = new StderrLogReader(readerPrefix(format, prefix) ?? "", onRecord);
    stderr = out;
    if (format === "syslog") {
      reader = { line: (t) => out.line(syslogToStderr(t) ?? t), end: () => out.end() };
      return;
    }
    if (format === "cloudsql") {
      reader = {
        line: (t) => {
          if (!t) return;
          const entry = cloudSqlLines(t);
          if (entry) for (const l of entry) out.line(l);
          else if (isJsonObject(t)) ignore("Cloud Logging entries without a textPayload");
          else out.line(t);
        },
        end: () => out.end(),
      };
      return;
    }
    if (format === "logplex") {
      reader = {
        line: (t) => {
          if (!t) return;
          const l = logplexLine(t);
          if (l?.kind === "postgres") out.line(l.line);
          else if (l?.kind === "metrics") {
            ignore("heroku-postgres metrics samples");
            metrics.line(t);
          } else if (l?.kind === "other") ignore("other Heroku dynos' lines");
          else out.line(t);
        },
        end: () => out.end(),
      };
      return;
    }
    reader = stderr;
  };

  // Line numbers: the stderr reader is told each line's number in the file (not for a JSON array's elements).
  const counting = options.lineNumbers === true;
  let lineNumber = 0;
  const feedAll = (list: string[]) => {
    const r = reader as unknown as { line(t: string): void };
    const direct = counting && !array ? (stderr as StderrLogReader | null) : null;
    for (const l of list) {
      lineNumber++;
      if (direct) direct.lineNumber = lineNumber;
      r.line(l);
    }
  };

  // Byte chunks (FileBytes) are decoded to text until the byte path takes over; `carry` is then the last line's
  // start, not yet ended by a line feed (copied: the chunk's buffer is reused).
  const decoder = new StringDecoder("utf8");
  let carry: Buffer | null = null;
  /** Lines b[0, last) (`last` a line feed's offset, or the end of the input), through the byte path. */
  const byteLines = (b: Buffer, last: number) => {
    const direct = stderr as unknown as StderrLogReader;
    const region = b.subarray(0, last);
    // Counted as lines end (with their line feed): the last line's bytes at the end of the input.
    bytes += last + 1;
    const ascii = isAscii(region);
    // Bytes are counted as their text has them (as the text path counts): invalid UTF-8 became U+FFFD.
    if (!ascii && !isUtf8(region)) bytes += Buffer.byteLength(region.toString("utf8")) - region.length;
    if (
      region.indexOf(13) >= 0 ||
      region.indexOf(LINE_SEPARATOR) >= 0 ||
      region.indexOf(PARAGRAPH_SEPARATOR) >= 0
    ) {
      // A line terminator the prefix's expression stops at, or CRLF: these lines as text, as before.
      const lines = b.toString("utf8", 0, last).split("\n");
      for (const [i, l] of lines.entries()) if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
      direct.plain = !lines.some((l) => hasLineTerminator(l));
      if (counting) feedAll(lines);
      else for (const l of lines) direct.line(l);
      return;
    }
    direct.plain = true;
    for (let pos = 0; pos <= last; ) {
      let nl = b.indexOf(10, pos);
      if (nl < 0 || nl > last) nl = last;
      if (counting) direct.lineNumber = ++lineNumber;
      direct.bytes(b, pos, nl, ascii);
      pos = nl + 1;
    }
  };

  if ("setEncoding" in input) input.setEncoding("utf8");
  for await (const piece of withEnd(input as AsyncIterable<string | Buffer> | Iterable<string | Buffer>)) {
    if (piece === null && carry !== null) break;
    const raw = typeof piece === "string" || piece === null ? null : piece;
    if (carry !== null && raw) {
      options.onBytes?.(raw.length);
      let data: Buffer = raw;
      if (carry.length) {
        // The line cut at the last chunk's end, completed on its own (not the whole chunk copied behind it).
        const first = raw.indexOf(10);
        if (first < 0) {
          carry = Buffer.concat([carry, raw]);
          continue;
        }
        const line = Buffer.concat([carry, raw.subarray(0, first + 1)]);
        byteLines(line, line.length - 1);
        data = raw.subarray(first + 1);
      }
      const last = data.lastIndexOf(10);
      if (last >= 0) byteLines(data, last);
      carry = Buffer.from(data.subarray(last + 1));
      continue;
    }
    // The end: what the decoder holds of a character cut short (counted with its chunk's bytes).
    let chunk: string = raw ? decoder.write(raw) : piece === null ? decoder.end() : (piece as string);
    if (piece === null && !chunk) break;
    const n = Buffer.byteLength(chunk);
    bytes += n;
    options.onBytes?.(n);
    if (array === undefined) {
      if (!chunk.trim()) continue;
      const binary = binaryInputError(name, chunk);
      if (binary) throw binary;
      const documents = jsonDocuments(chunk);
      array = documents ? new JsonArrayLines(documents) : null;
    }
    if (array) chunk = array.chunk(chunk);
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
      feedAll(buffered);
      buffered.length = 0;
      // A stderr log read as bytes: the byte path from the line after the last complete one on.
      if (raw && (reader as unknown) === stderr && !array && (stderr as StderrLogReader | null)?.bytePrefix) {
        carry = Buffer.from(raw.subarray(raw.lastIndexOf(10) + 1));
        // The carried bytes count once read as bytes; what of them was counted as text does not.
        bytes -= Buffer.byteLength(rest);
        rest = "";
      }
      continue;
    }
    // Checked once for the chunk instead of once per line (stderr read directly; other formats rewrite lines).
    const direct = stderr as unknown as StderrLogReader | null;
    if (direct && (reader as unknown) === direct) direct.plain = !hasLineTerminator(text);
    if (counting) feedAll(lines);
    else for (const l of lines) (reader as unknown as { line(t: string): void }).line(l);
  }
  if (carry !== null) {
    rest = carry.toString("utf8");
    bytes += Buffer.byteLength(rest);
  }
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (!reader && !csv) {
    if (rest) buffered.push(rest);
    rest = "";
    if (buffered.every((l) => !l.trim()))
      throw new InputError(`${name} is empty`, "give a PostgreSQL server log");
    start(buffered);
    if (csv) (csv as CsvLogReader).chunk(`${buffered.join("\n")}\n`);
    else feedAll(buffered);
  } else if (rest) {
    if (csv) (csv as CsvLogReader).chunk(rest);
    else feedAll([rest]);
  }
  (csv as CsvLogReader | null)?.end();
  (reader as { end(): void } | null)?.end();

  const s = stderr as StderrLogReader | null;
  const j = json as JsonLogReader | null;
  const m = slow as MysqlSlowLogReader | null;
  const b = bouncer as PgBouncerLogReader | null;
  if (m && m.records === 0)
    throw new InputError(
      `${name}: no entry of this slow query log has a Query_time and a statement`,
      m.firstUnmatched === null
        ? `its ${m.adminCommands} entries are administrator commands only (Quit, Connect, ...): give a slow log with statements (long_query_time low enough that queries are logged)`
        : `the first line not understood reads: ${printable(m.firstUnmatched)}`,
    );
  const c = csv as CsvLogReader | null;
  if (s && s.matched === 0 && ignored.size === 0)
    throw noMatch(name, readerPrefix(format as LogFormat, prefix) ?? "", s.firstUnmatched);
  if (j && j.records === 0 && j.ignored === 0)
    throw new InputError(
      `${name}: its lines are JSON but no line is ${format === "cnpg" ? "a CloudNativePG record" : "a PostgreSQL jsonlog record (error_severity and message)"}; the first reads: ${printable(j.firstUnmatched)}`,
      "give PostgreSQL's jsonlog, a Cloud Logging export of Cloud SQL (--log-format cloudsql) or CloudNativePG's log (--log-format cnpg), or the server's own log file",
    );
  if (j?.ignored) ignored.set("CloudNativePG instance manager lines", j.ignored);
  if (b && b.records === 0)
    throw new InputError(
      `${name}: no line is a PgBouncer log line`,
      `the first line reads: ${printable(b.firstUnmatched)}`,
    );
  return {
    format: format as LogFormat,
    prefix: s ? prefix : null,
    bytes,
    records: s ? s.matched : j ? j.records : m ? m.records : b ? b.records : (c?.records ?? 0),
    skipped: s?.unmatched ?? j?.unmatched ?? m?.unmatched ?? b?.unmatched ?? 0,
    firstSkipped: clipOrNull(
      s?.firstUnmatched ?? j?.firstUnmatched ?? m?.firstUnmatched ?? b?.firstUnmatched ?? null,
    ),
    ignored: [...ignored].map(([what, lines]) => ({ what, lines })),
    newestFirst: order.newestFirst,
    reversed: false,
    ...(format === "logplex" ? { herokuMetrics: metrics.summary() } : {}),
  };
}

/** The input's chunks, then null. */
async function* withEnd<T>(input: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T | null> {
  yield* input;
  yield null;
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
    if (!given.prefix && messages.length === 0) throw noLineIs(name, "a syslog line", lines);
    return { format, prefix: given.prefix ?? detectPrefix(name, messages, format) };
  }
  if (format === "logplex") {
    const messages = lines.map(logplexMessage).filter((l): l is string => l !== null);
    if (!given.prefix && messages.length === 0)
      throw noLineIs(name, "a Heroku Postgres (app[postgres.N]) line", lines);
    return { format, prefix: given.prefix ?? detectPrefix(name, messages, format) };
  }
  if (format === "cloudsql") {
    const messages = lines.flatMap((l) => cloudSqlLines(l) ?? []).filter((l) => !l.startsWith("\t"));
    if (!given.prefix && messages.length === 0)
      throw noLineIs(name, "a Cloud Logging entry with a textPayload", lines);
    // Lines get the entry's time in front when their text has none: a given prefix without a time gets %m.
    const timed = messages.length > 0 && /^\d{4}-/.test(messages[0] ?? "");
    const own = given.prefix && timed && !/^%[mtn]/.test(given.prefix) ? `%m ${given.prefix}` : given.prefix;
    return { format, prefix: own ?? detectPrefix(name, messages, format) };
  }
  if (format !== "stderr") return { format, prefix: null };
  return { format, prefix: given.prefix ?? detectPrefix(name, lines, format) };
}

/** A format given with --log-format that the first lines are not in. */
function noLineIs(name: string, what: string, lines: string[]): InputError {
  return new InputError(
    `${name}: no line is ${what}; the first reads: ${printable(lines.find((l) => l.trim()) ?? "")}`,
    `leave --log-format out to have the format detected, or name the log's own: ${LOG_FORMATS.join(", ")}`,
  );
}

function detectFormat(lines: string[]): LogFormat {
  const nonEmpty = lines.filter((l) => l.trim());
  const first = nonEmpty[0] ?? "";
  if (first.startsWith("{")) {
    const objects = nonEmpty.slice(0, 50).flatMap((l) => {
      try {
        const o = JSON.parse(l) as unknown;
        return typeof o === "object" && o !== null ? [o as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
    if (objects.some(isLogEntry)) return "cloudsql";
    if (objects.some(isCnpgLine)) return "cnpg";
    return "jsonlog";
  }
  if (MYSQL_SLOW_START.test(first)) return "mysql-slow";
  // Heroku's lines and PgBouncer's through syslog look like syslog: tell them apart first.
  if (nonEmpty.slice(0, 50).some(isLogplexLine)) return "logplex";
  const sample = nonEmpty.slice(0, 50);
  if (sample.filter(isPgBouncerLine).length >= sample.length * 0.5) return "pgbouncer";
  if (isSyslogLine(first)) return "syslog";
  if (CSV_START.test(first)) return "csvlog";
  return "stderr";
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith("{")) return false;
  try {
    return typeof JSON.parse(line) === "object";
  } catch {
    return false;
  }
}

/** The common prefix that matches most of the first lines, else one read off the lines themselves; an error
 * that shows a line when neither works. */
function detectPrefix(name: string, lines: string[], format: LogFormat): string {
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
    const like = looksLike(lines);
    if (like) throw new InputError(`${name} looks like ${like.what}`, like.hint);
    throw noMatch(
      name,
      null,
      candidates.find((l) => !COMMON_PREFIXES.some((p) => prefixRegex(p).test(l))) ?? candidates[0] ?? "",
      format,
    );
  }
  // `%u` and `%d` match lazily: a common prefix can swallow a field it lacks (`%m [%p] %q%u@%d ` reads
  // `[queryid=1] postgres@db` as user "[queryid=1] postgres"). Such a capture holds a space or a `[`, which names
  // do not in practice: the prefix read off the lines themselves is then the right one.
  if (swallowsField(best.prefix, candidates)) {
    const inferred = inferPrefix(candidates);
    if (inferred !== null) return inferred;
  }
  return best.prefix;
}

function swallowsField(prefix: string, lines: string[]): boolean {
  const re = prefixRegex(prefix);
  return lines.slice(0, 50).some((l) => {
    const g = re.exec(l)?.groups;
    return g !== undefined && [g.user, g.db].some((v) => v !== undefined && /[ []/.test(v));
  });
}

/** Logs dbopt does not read, recognised so that the error says what they are and what to do. */
function looksLike(lines: string[]): { what: string; hint: string } | null {
  const sample = lines.filter((l) => l.trim()).slice(0, 50);
  const share = (re: RegExp) =>
    sample.length > 0 && sample.filter((l) => re.test(l)).length >= sample.length * 0.5;
  if (
    share(
      /^(?:\d{4}-\d\d-\d\dT\S+|\d{6} +\d+:\d\d:\d\d)?\s+\d+ (?:Query|Connect|Quit|Init DB|Prepare|Execute|Close stmt)\b/,
    )
  )
    return {
      what: "a MySQL/MariaDB general query log, which has no query times",
      hint: "give the slow query log instead (slow_query_log = ON, long_query_time = 0): dbopt reads it as --log-format mysql-slow",
    };
  if (share(/^\d{4}-\d\d-\d\d[ T][\d:.]+Z? +\d+ \[(?:Note|Warning|ERROR|System)\]/))
    return {
      what: "a MySQL/MariaDB error log, which has no statements",
      hint: "give the slow query log (slow_query_log = ON, long_query_time = 0): dbopt reads it as --log-format mysql-slow",
    };
  return null;
}

function noMatch(
  name: string,
  prefix: string | null,
  example: string | null,
  format: LogFormat = "stderr",
): InputError {
  const kind = format === "stderr" ? "" : ` (${format})`;
  const where =
    format === "syslog"
      ? " — the part after the syslog header"
      : format === "logplex"
        ? " — the part after Heroku's [COLOR] [n-m]"
        : format === "cloudsql"
          ? " — the part of textPayload before the level"
          : "";
  return new InputError(
    `${name}${kind}: ${prefix === null ? "no known log_line_prefix matches its lines" : `no line matches log_line_prefix '${prefix}'`}; a line reads: ${printable(example)}`,
    `pass the server's setting with --prefix (SHOW log_line_prefix${where}), e.g. --prefix '%m [%p] %q%u@%d '; if this is not a PostgreSQL stderr log, name its format with --log-format (${LOG_FORMATS.join(", ")})`,
  );
}

function clipOrNull(s: string | null): string | null {
  return s === null ? null : printable(s);
}
