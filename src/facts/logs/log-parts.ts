/**
 * Split a log file into byte ranges that each start at the beginning of a message, for worker threads to read
 * side by side. A stderr message starts on a line that matches the prefix with a level of its own (not DETAIL,
 * STATEMENT ... which belong to the message before, and not a bare `duration:` line, which log_duration writes
 * after its `statement:` line), in syslog, Cloud SQL and Heroku lines once in stderr form; a csvlog record on a line
 * that starts with its timestamp; jsonlog and CloudNativePG on any line; PgBouncer on any line of its own; a slow
 * query log entry on its `# Time:` or `# User@Host:` line.
 */
import { open } from "node:fs/promises";
import { cloudSqlLines } from "./cloud-sql-lines.js";
import { ATTACHED } from "./log-record.js";
import { logplexLine } from "./logplex-lines.js";
import { isPgBouncerLine } from "./pgbouncer-log.js";
import { CSV_START, type LogFormat } from "./read-logs.js";
import { syslogToStderr } from "./syslog-lines.js";

const PROBE = 1 << 20;
const ATTACHED_LEVELS = new Set<string>(ATTACHED);

export async function logParts(
  path: string,
  size: number,
  parts: number,
  format: LogFormat,
  prefix: RegExp | null,
): Promise<Array<{ start: number; end: number }>> {
  const starts = [0];
  const file = await open(path, "r");
  try {
    const buf = Buffer.alloc(PROBE);
    for (let k = 1; k < parts; k++) {
      const from = Math.max(Math.floor((size * k) / parts), starts.at(-1) as number);
      const { bytesRead } = await file.read(buf, 0, PROBE, from);
      const at = firstMessageStart(buf.subarray(0, bytesRead), format, prefix);
      // No message starts in the probe (a huge multi-line statement): this part joins the one before.
      if (at !== null && from + at > (starts.at(-1) as number)) starts.push(from + at);
    }
  } finally {
    await file.close();
  }
  return starts.map((start, i) => ({ start, end: starts[i + 1] ?? size }));
}

/** Offset of the first line in `buf` (after the partial line it starts in) that begins a message. */
function firstMessageStart(buf: Buffer, format: LogFormat, prefix: RegExp | null): number | null {
  let nl = buf.indexOf(10);
  while (nl >= 0 && nl + 1 < buf.length) {
    const lineStart = nl + 1;
    const lineEnd = buf.indexOf(10, lineStart);
    if (lineEnd < 0) return null;
    const line = buf.toString("utf8", lineStart, lineEnd);
    if (startsMessage(line, format, prefix)) return lineStart;
    nl = lineEnd;
  }
  return null;
}

function startsMessage(line: string, format: LogFormat, prefix: RegExp | null): boolean {
  if (format === "jsonlog" || format === "cnpg") return line.startsWith("{");
  if (format === "csvlog") return CSV_START.test(line);
  if (format === "mysql-slow") return line.startsWith("# Time: ") || line.startsWith("# User@Host: ");
  if (format === "pgbouncer") return isPgBouncerLine(line);
  const g = prefix?.exec(stderrForm(line, format))?.groups;
  if (!g?.level || ATTACHED_LEVELS.has(g.level)) return false;
  return !/^duration: [\d.]+ ms$/.test(g.message ?? "");
}

/** The line as the stderr reader sees it ("" when it is not a server message). */
function stderrForm(line: string, format: LogFormat): string {
  if (format === "syslog") return syslogToStderr(line) ?? "";
  if (format === "cloudsql") return cloudSqlLines(line)?.[0] ?? "";
  if (format === "logplex") {
    const l = logplexLine(line);
    return l?.kind === "postgres" ? l.line : "";
  }
  return line;
}
