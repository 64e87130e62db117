/**
 * Which reads follow their own writes, from server logs: within one session (the prefix's %c, else %p), a read of
 * a table the session wrote in the same transaction, or committed less than a replica's lag ago (the window),
 * would see stale rows on a standby. Per statement fingerprint: how often it ran after such a write, and how often
 * it ran at all, the same counts traces give (trace-own-writes.ts), so the read-replicas rule reads both.
 *
 * Transactions are told by BEGIN/COMMIT/ROLLBACK in the log, or by the virtual transaction id (%v) when the prefix
 * has it (autocommit statements are logged with ".../0"). A write in autocommit is visible on a replica once the
 * standby replays it; a write inside a transaction, once its COMMIT does.
 */
import { DBOPT_TAG } from "../../connectors/postgres/postgres-connector.js";
import { InputError } from "../../util/input-error.js";
import type { Fingerprinter } from "../logs/fingerprinter.js";
import type { LogRecord } from "../logs/log-record.js";
import { transactionControl } from "../logs/n-plus-one.js";
import { openLog, type ReadStats, readLog } from "../logs/read-logs.js";
import { type StatementEvent, StatementExtractor, sessionKey } from "../logs/statement-events.js";
import { type StatementTraits, statementTraits } from "./statement-traits.js";
import { OWN_WRITE_EXAMPLES, type OwnWriteSource, type OwnWrites } from "./trace-own-writes.js";

interface Session {
  /** An explicit transaction is open (BEGIN seen, no COMMIT or ROLLBACK since). */
  open: boolean;
  /** The virtual transaction id of the open transaction, when the prefix logs %v and it is not autocommit. */
  vxid: string | null;
  /** Tables written in the open transaction (base names). */
  pending: Set<string>;
  /** Tables written and committed, with the commit's time (ms since the epoch; NaN when the log has no time). */
  committed: Map<string, number>;
  /**
   * The statement that last wrote each table (pending or committed), to show where a judgement came from: its
   * record, made a source only when a judgement names it (or when the log's file changes, to keep its file).
   */
  writtenBy: Map<string, LogRecord | OwnWriteSource>;
  lastTime: number | null;
}

export interface LogOwnWriteOptions {
  /** A read less than this long after its session committed a write to a table it reads needs the primary. */
  windowMs: number;
}

/** How the log identified sessions and times, for the report's notes. */
export interface LogSessionQuality {
  statements: number;
  reads: number;
  /** Statements whose record had a session id (%c, csvlog/jsonlog's session_id). */
  withSession: number;
  /** Statements with a process id but no session id. */
  withPidOnly: number;
  /** Statements with a time (%m, %t, %n). */
  timed: number;
  /** Statements with a virtual transaction id (%v). */
  withVxid: number;
  sessions: number;
}

const SWEEP_EVERY = 1 << 16;
/** Sessions silent this long (and with no transaction open) are forgotten at a sweep: their window has passed. */
const QUIET_MS = 60_000;

export class LogOwnWrites {
  private readonly sessions = new Map<string, Session>();
  private readonly counts: OwnWrites = new Map();
  private readonly traits = new Map<string, StatementTraits>();
  private readonly seenSessions = new Set<string>();
  readonly quality: LogSessionQuality = {
    statements: 0,
    reads: 0,
    withSession: 0,
    withPidOnly: 0,
    timed: 0,
    withVxid: 0,
    sessions: 0,
  };

  constructor(
    private readonly fingerprints: Fingerprinter,
    private readonly options: LogOwnWriteOptions,
  ) {}

  statement(e: StatementEvent): void {
    const r = e.record;
    const q = this.quality;
    q.statements++;
    if (r.session !== null) q.withSession++;
    else if (r.pid !== null) q.withPidOnly++;
    if (r.vxid !== null) q.withVxid++;
    // A `duration:` line is written when the statement ends; a `statement:` line when it starts.
    const ended = r.time !== null && e.durationMs !== null && r.message.startsWith("duration: ");
    const start = r.time === null ? null : ended ? r.time - (e.durationMs ?? 0) : r.time;
    const end = r.time;
    if (r.time !== null) q.timed++;
    if (q.statements % SWEEP_EVERY === 0 && end !== null) this.sweep(end);
    const key = sessionKey(r);
    let s = this.sessions.get(key);
    if (!s) {
      s = {
        open: false,
        vxid: null,
        pending: new Set(),
        committed: new Map(),
        writtenBy: new Map(),
        lastTime: null,
      };
      this.sessions.set(key, s);
      if (this.seenSessions.size < 1 << 20) this.seenSessions.add(key);
    }
    // A transaction the log does not show ending ended by the session's last statement before this one.
    const previous = s.lastTime;
    if (end !== null) s.lastTime = end;

    const control = transactionControl(e.sql);
    if (control !== 0) {
      if (control > 0) {
        this.commit(s, previous);
        s.open = true;
      } else if (/^\s*(rollback|abort)\b/i.test(e.sql)) {
        s.pending.clear();
        s.open = false;
        s.vxid = null;
      } else {
        this.commit(s, end);
        s.open = false;
      }
      return;
    }
    // With %v: a statement of another transaction than the one holding pending writes ends that one (the log
    // need not hold its COMMIT: statements below log_min_duration_statement are missing).
    const vxid = r.vxid !== null && !r.vxid.endsWith("/0") ? r.vxid : null;
    if (r.vxid !== null && !s.open && s.vxid !== null && vxid !== s.vxid) this.commit(s, previous);
    if (vxid !== null) s.vxid = vxid;
    const inTransaction = s.open || vxid !== null;

    const fp = this.fingerprints.shape(e.sql).fingerprint;
    let t = this.traits.get(fp);
    if (!t) {
      t = statementTraits(e.sql);
      this.traits.set(fp, t);
    }
    if (t.kind === "read") {
      q.reads++;
      const entry = this.counts.get(fp) ?? { after: 0, seen: 0, inTransaction: 0, withinWindow: 0 };
      entry.seen++;
      const tables = t.tables.map(baseName);
      const pending = inTransaction ? tables.find((name) => s.pending.has(name)) : undefined;
      const recent =
        pending ?? (start !== null ? tables.find((name) => this.recent(s, name, start)) : undefined);
      if (pending !== undefined) {
        entry.after++;
        entry.inTransaction = (entry.inTransaction ?? 0) + 1;
      } else if (recent !== undefined) {
        entry.after++;
        entry.withinWindow = (entry.withinWindow ?? 0) + 1;
      }
      if (recent !== undefined) {
        entry.examples ??= [];
        if (entry.examples.length < OWN_WRITE_EXAMPLES)
          entry.examples.push({ read: this.source(r), write: this.writeSource(s.writtenBy.get(recent)) });
      }
      this.counts.set(fp, entry);
    }
    if (t.writes.length > 0) {
      for (const w of t.writes) s.writtenBy.set(baseName(w), r);
      if (inTransaction) for (const w of t.writes) s.pending.add(baseName(w));
      else for (const w of t.writes) s.committed.set(baseName(w), end ?? Number.NaN);
    }
  }

  private currentFile = "standard input";

  /** The log being read (its name in sources). */
  get file(): string {
    return this.currentFile;
  }

  /** The writes of the file read so far become sources naming it before the next file's records come. */
  set file(name: string) {
    if (name === this.currentFile) return;
    for (const s of this.sessions.values())
      for (const [table, write] of s.writtenBy)
        if (!("kind" in write)) s.writtenBy.set(table, this.source(write));
    this.currentFile = name;
  }

  private source(r: LogRecord): OwnWriteSource {
    return {
      kind: "log",
      file: this.currentFile,
      line: r.line ?? null,
      time: r.time,
      session: r.session ?? r.pid,
    };
  }

  private writeSource(write: LogRecord | OwnWriteSource | undefined): OwnWriteSource | null {
    if (write === undefined) return null;
    return "kind" in write ? write : this.source(write);
  }

  result(): { ownWrites: OwnWrites; quality: LogSessionQuality } {
    this.quality.sessions = this.seenSessions.size;
    return { ownWrites: this.counts, quality: this.quality };
  }

  /** Whether the session committed a write to the table within the window before `at`. */
  private recent(s: Session, table: string, at: number): boolean {
    const committed = s.committed.get(table);
    if (committed === undefined || Number.isNaN(committed)) return false;
    return at - committed <= this.options.windowMs;
  }

  private commit(s: Session, at: number | null): void {
    for (const table of s.pending) s.committed.set(table, at ?? Number.NaN);
    s.pending.clear();
    s.vxid = null;
  }

  private sweep(now: number): void {
    for (const [key, s] of this.sessions)
      if (!s.open && s.vxid === null && s.lastTime !== null && now - s.lastTime > QUIET_MS)
        this.sessions.delete(key);
  }
}

export interface LogOwnWritesRead {
  ownWrites: OwnWrites;
  quality: LogSessionQuality;
  files: Array<{ name: string } & ReadStats>;
}

/**
 * Read PostgreSQL server logs (any format `dbopt logs` reads but the MySQL slow log and PgBouncer's) through the
 * log readers and the statement extractor, keeping the statements of `database` (records without a database
 * name are kept: the prefix may not log %d).
 */
export async function readLogOwnWrites(
  paths: string[],
  fingerprints: Fingerprinter,
  options: LogOwnWriteOptions & { database?: string; prefix?: string },
): Promise<LogOwnWritesRead> {
  const tracker = new LogOwnWrites(fingerprints, options);
  const extractor = new StatementExtractor((e) => {
    const db = e.record.database;
    if (options.database !== undefined && db !== null && db !== options.database) return;
    // dbopt's own statements (this run's among them) are not the application's.
    if (e.sql.includes(DBOPT_TAG)) return;
    tracker.statement(e);
  });
  const files: LogOwnWritesRead["files"] = [];
  for (const path of paths) {
    const name = path === "-" ? "standard input" : path;
    tracker.file = name;
    const stats = await readLog(name, await openLog(path), (r) => extractor.record(r), {
      ...(options.prefix ? { prefix: options.prefix } : {}),
      lineNumbers: true,
    });
    extractor.end();
    if (stats.format === "mysql-slow" || stats.format === "pgbouncer")
      throw new InputError(
        `${name} is ${stats.format === "mysql-slow" ? "a MySQL/MariaDB slow log" : "a PgBouncer log"}: advise scaling reads PostgreSQL server logs`,
        "give the PostgreSQL server's log, with every statement logged (log_min_duration_statement = 0 or log_statement = 'all')",
      );
    files.push({ name, ...stats });
  }
  return { ...tracker.result(), files };
}

/** Tables compared by name alone: statements qualify them differently (public.orders, orders). */
function baseName(table: string): string {
  return table.slice(table.lastIndexOf(".") + 1);
}
