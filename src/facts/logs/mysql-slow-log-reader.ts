/**
 * The MySQL 8 / MariaDB slow query log: a `# Time:` line when the second changes, `# User@Host:` (MySQL puts the
 * connection id there; MariaDB writes `# Thread_id:` and `# Schema:` on the next line), `# Query_time:` with lock
 * time and rows sent and examined, MariaDB's log_slow_verbosity extras (`# Full_scan: Yes ...`), then
 * `use db;`, `SET timestamp=N;` and the statement, which may span lines. Each entry becomes one record in the
 * shape PostgreSQL's duration lines have, with the row counts beside.
 */
import type { LogRecord } from "./log-record.js";

const USER_HOST = /^# User@Host: ([^[\s]*)\[[^\]]*\] @ .*?(?:Id:\s*(\d+))?\s*$/;
const THREAD = /^# Thread_id: (\d+)\s+Schema: (\S*)/;
const QUERY_TIME = /^# Query_time: ([\d.]+)\s+Lock_time: ([\d.]+)\s+Rows_sent: (\d+)\s+Rows_examined: (\d+)/;
const HEADER = /^(?:\S+, Version: .* started with:|Tcp port: |Time\s+Id\s+Command\s+Argument)/;

export const MYSQL_SLOW_START = /^(?:\S+, Version: .* started with:|# Time: |# User@Host: )/;

interface Entry {
  time: number | null;
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
  sql: string[];
}

export class MysqlSlowLogReader {
  records = 0;
  unmatched = 0;
  firstUnmatched: string | null = null;
  private entry: Entry | null = null;
  private schema = new Map<string, string>();
  private lastTime: number | null = null;

  constructor(private readonly emit: (record: LogRecord) => void) {}

  line(text: string): void {
    if (text.startsWith("# ")) {
      if (text.startsWith("# Time: ")) {
        this.flush();
        this.lastTime = slowLogTime(text.slice(8).trim());
        return;
      }
      const user = USER_HOST.exec(text);
      if (user) {
        this.flush();
        this.entry = {
          time: this.lastTime,
          thread: user[2] ?? null,
          user: user[1] || null,
          schema: null,
          schemaGiven: false,
          queryMs: null,
          lockMs: 0,
          rowsSent: 0,
          rowsExamined: 0,
          fullScan: false,
          sql: [],
        };
        return;
      }
      const e = this.entry;
      if (!e || e.sql.length) {
        this.unmatchedLine(text);
        return;
      }
      const thread = THREAD.exec(text);
      if (thread) {
        e.thread = thread[1] ?? null;
        e.schema = thread[2] || null;
        e.schemaGiven = true;
        return;
      }
      const q = QUERY_TIME.exec(text);
      if (q) {
        e.queryMs = Number(q[1]) * 1000;
        e.lockMs = Number(q[2]) * 1000;
        e.rowsSent = Number(q[3]);
        e.rowsExamined = Number(q[4]);
        return;
      }
      if (text.startsWith("# Full_scan: Yes")) e.fullScan = true;
      return;
    }
    if (HEADER.test(text)) {
      this.flush();
      return;
    }
    const e = this.entry;
    if (!e) {
      if (text.trim()) this.unmatchedLine(text);
      return;
    }
    if (e.sql.length === 0) {
      const ts = /^SET timestamp=(\d+);$/.exec(text);
      if (ts) {
        e.time = Number(ts[1]) * 1000;
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

  end(): void {
    this.flush();
  }

  private flush(): void {
    const e = this.entry;
    this.entry = null;
    if (!e || e.queryMs === null || e.sql.length === 0) return;
    const sql = e.sql.join("\n").trim().replace(/;$/, "");
    // MySQL logs a connection's Quit and the like as "# administrator command: Quit;".
    if (!sql || sql.startsWith("# administrator command")) return;
    this.records++;
    this.emit({
      time: e.time,
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
    });
  }

  private unmatchedLine(text: string): void {
    this.unmatched++;
    this.firstUnmatched ??= text;
  }
}

/** "2026-11-26T19:46:09.123456Z" (MySQL 8) or "261126 19:46:09" (MariaDB, server time zone: read as UTC). */
function slowLogTime(text: string): number | null {
  const iso = Date.parse(text);
  if (!Number.isNaN(iso)) return iso;
  const m = /^(\d\d)(\d\d)(\d\d)\s+(\d{1,2}):(\d\d):(\d\d)$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(2000 + (y as number), (mo as number) - 1, d, h, mi, s);
}
