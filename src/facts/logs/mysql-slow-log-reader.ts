/**
 * The MySQL 8 / MariaDB slow query log: a `# Time:` line when the second changes, `# User@Host:` (MySQL puts the
 * connection id there; MariaDB writes `# Thread_id:` and `# Schema:` on the next line), `# Query_time:` with lock
 * time and rows sent and examined, MariaDB's log_slow_verbosity extras (`# Full_scan: Yes ...`), then
 * `use db;`, `SET timestamp=N;` and the statement, which may span lines. Each entry becomes one record in the
 * shape PostgreSQL's duration lines have, with the row counts beside.
 */
import type { LogRecord } from "./log-record.js";

// `user[priv_user] @ host [ip]`; the user may be empty (the replication thread: `[SQL_SLAVE] @  []`) or written
// without brackets (`bob @ host1 [bob]`), and older servers wrote `# User: `.
const USER_HOST = /^# User(?:@Host)?:\s*([^\s[@]*)(?:\[([^\]]*)\])?.*?@.*?(?:Id:\s*(\d+))?\s*$/;
const THREAD = /^# Thread_id:\s*(\d+)(?:\s+Schema: ?([^\s]*))?/;
// Percona Server writes the schema on a line of its own when it leaves the thread id out.
const SCHEMA = /^# Schema: ?([^\s]*)/;
// The query time alone is enough (`# Query_time: 1`); an overflowed value (`18446744073708.796870.000036`) is not a time.
const QUERY_TIME = /^# Query_time: (\d+(?:\.\d+)?)(?=\s|$)/;
const LOCK_TIME = /\bLock_time: (\d+(?:\.\d+)?)/;
const ROWS_SENT = /\bRows_sent: (\d+)/;
const ROWS_EXAMINED = /\bRows_examined: (\d+)/;
// The header lines that open an entry when none is open or the open one already has its statement: Percona's and
// older servers' logs leave out `# Time:` and `# User@Host:` (`# Client:`, `# Query_time:` first).
const ENTRY_HEADER = /^# (?:Query_time|Thread_id|Schema|Client):/;
// The server's startup header (written again at each log flush). Its first line names the binary, which may hold
// spaces (`D:\MySQL\MySQL Server 5.1\bin\mysqld, Version: ...`): tested by its end, which is cheap on statement lines.
const HEADER = /^(?:Tcp port: |TCP Port: |Time\s+Id\s+Command\s+Argument)/;
const isStartLine = (text: string) => text.endsWith(" started with:") && text.includes(", Version: ");

/** A slow log's first line: the server's startup header or an entry's first header line. */
export const MYSQL_SLOW_START =
  /^(?:.+, Version: .* started with:|# Time: |# User(?:@Host)?: |# Query_time: |# Thread_id: |# Client: |# administrator command: )/;

interface Entry {
  /** `# Time:` (the server's local time before MySQL 5.7, read as UTC). */
  localTime: number | null;
  /** `SET timestamp=N;`: the instant. */
  epochTime: number | null;
  thread: string | null;
  user: string | null;
  schema: string | null;
  /** MariaDB names the schema on every entry (empty for none); MySQL writes `use db;` only when it changes. */
  schemaGiven: boolean;
  queryMs: number | null;
  lockMs: number;
  rowsSent: number;
  rowsExamined: number;
  fullScan: boolean;
  /** `# administrator command: ...` was the entry's statement. */
  admin: boolean;
  sql: string[];
}

const QUARTER_HOUR = 15 * 60_000;
const PENDING_MAX = 10_000;

export class MysqlSlowLogReader {
  records = 0;
  unmatched = 0;
  firstUnmatched: string | null = null;
  /** Entries whose statement was an administrator command (read, not records). */
  adminCommands = 0;
  private entry: Entry | null = null;
  private schema = new Map<string, string>();
  private lastTime: number | null = null;
  /** SET timestamp minus `# Time:` on the first entry that has both: the server's UTC offset, for entries that
   * have only `# Time:` (MySQL before 5.7 writes no SET timestamp for BEGIN, replication events ...). */
  private offsetMs: number | null = null;
  /** Records with only a local time, held until the offset is known (at most PENDING_MAX, in order). */
  private pending: LogRecord[] = [];

  constructor(private readonly emit: (record: LogRecord) => void) {}

  line(text: string): void {
    if (text.startsWith("# ")) {
      if (text.startsWith("# Time: ")) {
        // Some servers wrote the entry's User@Host on the Time line: `# Time: 071218 11:48:27 # User@Host: ...`.
        const joined = text.indexOf(" # User", 8);
        this.flush();
        this.lastTime = slowLogTime(text.slice(8, joined < 0 ? undefined : joined).trim());
        if (joined >= 0) this.line(text.slice(joined + 1));
        return;
      }
      const user = USER_HOST.exec(text);
      if (user) {
        const e = this.open(true);
        e.thread = user[3] ?? null;
        e.user = user[1] || user[2] || null;
        return;
      }
      if (text.startsWith("# administrator command: ")) {
        // A connection's Quit, Connect, Binlog Dump ... is not a statement: it ends the entry's headers.
        if (this.entry) this.entry.admin = true;
        this.adminCommands++;
        return;
      }
      if (ENTRY_HEADER.test(text)) this.open(false);
      const e = this.entry;
      if (!e) {
        this.unmatchedLine(text);
        return;
      }
      const thread = THREAD.exec(text);
      if (thread) {
        e.thread = thread[1] ?? null;
        if (thread[2] !== undefined) {
          e.schema = thread[2] || null;
          e.schemaGiven = true;
        }
        return;
      }
      const schema = SCHEMA.exec(text);
      if (schema) {
        e.schema = schema[1] || null;
        e.schemaGiven = true;
        return;
      }
      const q = QUERY_TIME.exec(text);
      if (q) {
        e.queryMs = Number(q[1]) * 1000;
        e.lockMs = Number(LOCK_TIME.exec(text)?.[1] ?? 0) * 1000;
        e.rowsSent = Number(ROWS_SENT.exec(text)?.[1] ?? 0);
        e.rowsExamined = Number(ROWS_EXAMINED.exec(text)?.[1] ?? 0);
        return;
      }
      // MariaDB's log_slow_verbosity line starts with Full_scan, Percona Server's with QC_Hit.
      if (text.includes("Full_scan: Yes")) e.fullScan = true;
      return;
    }
    if (isStartLine(text) || HEADER.test(text)) {
      this.flush();
      return;
    }
    const e = this.entry;
    if (!e || e.admin) {
      if (text.trim()) this.unmatchedLine(text);
      return;
    }
    if (e.sql.length === 0) {
      const ts = /^SET timestamp=(\d+);$/.exec(text);
      if (ts) {
        e.epochTime = Number(ts[1]) * 1000;
        return;
      }
      const use = /^use `?([^`;]+)`?;$/.exec(text);
      if (use) {
        e.schema = use[1] ?? null;
        if (e.thread) this.schema.set(e.thread, e.schema ?? "");
        return;
      }
    }
    e.sql.push(text);
  }

  /** The entry a header line belongs to: a new one when none is open or the open one is complete (its statement
   * read), or always for a User@Host line, which starts every entry that has one. */
  private open(always: boolean): Entry {
    const e = this.entry;
    if (e && !always && e.sql.length === 0 && !e.admin) return e;
    this.flush();
    this.entry = {
      localTime: this.lastTime,
      epochTime: null,
      thread: null,
      user: null,
      schema: null,
      schemaGiven: false,
      queryMs: null,
      lockMs: 0,
      rowsSent: 0,
      rowsExamined: 0,
      fullScan: false,
      admin: false,
      sql: [],
    };
    return this.entry;
  }

  end(): void {
    this.flush();
    this.release(0);
  }

  private flush(): void {
    const e = this.entry;
    this.entry = null;
    if (!e || e.queryMs === null || e.sql.length === 0 || e.admin) return;
    const sql = e.sql.join("\n").trim().replace(/;$/, "");
    if (!sql) return;
    this.records++;
    if (this.offsetMs === null && e.epochTime !== null && e.localTime !== null) {
      const offset = Math.round((e.epochTime - e.localTime) / QUARTER_HOUR) * QUARTER_HOUR;
      if (Math.abs(offset) <= 14 * 3600_000) this.offsetMs = offset;
    }
    const localOnly = e.epochTime === null && e.localTime !== null;
    const record: LogRecord = {
      time: e.epochTime ?? (e.localTime !== null ? e.localTime + (this.offsetMs ?? 0) : null),
      pid: e.thread,
      user: e.user,
      database: e.schemaGiven || e.schema ? e.schema : e.thread ? (this.schema.get(e.thread) ?? null) : null,
      application: null,
      session: null,
      vxid: null,
      level: "LOG",
      sqlstate: null,
      message: `duration: ${e.queryMs.toFixed(3)} ms  statement: ${sql}`,
      detail: null,
      statement: null,
      rows: { sent: e.rowsSent, examined: e.rowsExamined, lockMs: e.lockMs, fullScan: e.fullScan },
    };
    if (localOnly && this.offsetMs === null) {
      this.pending.push(record);
      if (this.pending.length >= PENDING_MAX) this.release(0);
      return;
    }
    this.release(this.offsetMs ?? 0);
    this.emit(record);
  }

  /** The held records, their local times moved by the offset (0 when it never became known: read as UTC). */
  private release(offset: number): void {
    for (const r of this.pending) this.emit(r.time === null ? r : { ...r, time: r.time + offset });
    this.pending = [];
  }

  private unmatchedLine(text: string): void {
    this.unmatched++;
    this.firstUnmatched ??= text;
  }
}

/** "2026-11-26T19:46:09.123456Z" (MySQL 5.7+) or "261126 19:46:09" / "071015  1:43:52.479076" (MariaDB and MySQL
 * before 5.7, the server's time zone: read as UTC); null for anything else. Date.parse is not asked about the
 * second form: V8 reads "071015 21:43:52" as the year 71015. */
function slowLogTime(text: string): number | null {
  const m = /^(\d\d)(\d\d)(\d\d)\s+(\d{1,2}):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return Date.UTC(2000 + y, mo - 1, d, h, mi, s) + Math.floor(Number(`0.${m[7] ?? 0}`) * 1000);
  }
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(text)) return null;
  const iso = Date.parse(text);
  return Number.isNaN(iso) ? null : iso;
}
