/**
 * PgBouncer's own log (logfile, or its stderr): no statements, but what a DBA reads it for — logins by database
 * and user, clients turned away (max_client_conn, a wrong password, an unknown database, query_wait_timeout),
 * why client and server connections closed, and the `stats:` line it writes every stats_period (transactions
 * and queries per second, average transaction, query and wait times). Lines look like
 *
 *   2026-12-02 00:35:08.508 UTC [24876] LOG C-0x5581ad5e2f40: postgres/shop@127.0.0.1:39958 login attempt: db=postgres user=shop tls=no
 *   2026-12-02 00:35:09.509 UTC [24876] LOG stats: 67 xacts/s, 67 queries/s, in 1952 B/s, out 4026 B/s, xact 18974 us, query 18974 us, wait 992690 us
 *   2018-09-12 16:08:54.775 3392 LOG file descriptor limit: 1024 (H:4096), max_client_conn: 100, ...   (before 1.12: no brackets)
 *   Dec  2 01:17:44 vm pgbouncer[14927]: C-0x558b3ded3540: postgres/shop@127.0.0.1:41868 pooler error: ...   (syslog = 1)
 *
 * (src/objects.c, src/client.c, src/stats.c of PgBouncer; the 1.18 capture in test/fixtures/logs and pgBadger's
 * 1.9 and 1.21 captures.) The reader turns each line into a LogRecord marked `pgbouncer`; PgBouncerSummary counts
 * them, with state() and merge() like every consumer of the log stream.
 */
import { detach } from "../../util/detach-string.js";
import type { LogRecord } from "./log-record.js";
import { logTime } from "./log-time.js";
import { syslogToStderr } from "./syslog-lines.js";

const LINE =
  /^(?<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z][A-Za-z0-9/_+-]*| ?[+-]\d\d(?::?\d\d)?)?) (?:\[(?<pid>\d+)\]|(?<bare>\d+)) (?<level>LOG|WARNING|ERROR|FATAL|NOISE|DEBUG|INFO|NOTICE) (?<message>.*)$/;
const CONNECTION =
  /^(?<side>[CS])-0x[0-9a-f]+: (?<db>[^/\s]*)\/(?<user>[^@\s]*)@(?<address>\S+?) (?<text>.*)$/;

/** PgBouncer through syslog (`syslog = 1`): the daemon's header, then the message without time, pid or level. */
const SYSLOG =
  /^(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) \S+ pgbouncer\[\d+\]: /;

export function isPgBouncerLine(line: string): boolean {
  return LINE.test(line) || SYSLOG.test(line);
}

/** A syslog line in PgBouncer's own layout; syslog drops the level, so pooler errors get back their WARNING. */
function fromSyslog(line: string): string | null {
  if (!SYSLOG.test(line)) return null;
  const own = syslogToStderr(line);
  if (own === null) return null;
  const m = /^(.*?) (\[\d+\]) (.*)$/.exec(own);
  if (!m) return null;
  const level = /^(?:[CS]-0x[0-9a-f]+: \S+ )?(?:pooler error|login failed)/.test(m[3] ?? "")
    ? "WARNING"
    : "LOG";
  return `${m[1]} ${m[2]} ${level} ${m[3]}`;
}

export class PgBouncerLogReader {
  records = 0;
  unmatched = 0;
  firstUnmatched: string | null = null;

  constructor(private readonly emit: (record: LogRecord) => void) {}

  line(text: string): void {
    if (!text) return;
    const m = LINE.exec(text) ?? LINE.exec(fromSyslog(text) ?? "");
    const g = m?.groups;
    if (!g) {
      this.unmatched++;
      this.firstUnmatched ??= text;
      return;
    }
    this.records++;
    const c = CONNECTION.exec(g.message ?? "")?.groups;
    const known = (s: string | undefined) => (s && s !== "(nodb)" && s !== "(nouser)" ? s : null);
    this.emit({
      time: logTime(g.time),
      pid: g.pid ?? g.bare ?? null,
      user: known(c?.user),
      database: known(c?.db),
      application: null,
      session: null,
      vxid: null,
      level: g.level ?? "LOG",
      sqlstate: null,
      message: c ? (c.text ?? "") : (g.message ?? ""),
      detail: null,
      statement: null,
      pgbouncer: { side: (c?.side as "C" | "S" | undefined) ?? null, address: c?.address ?? null },
    });
  }

  end(): void {}
}

export interface PgBouncerStats {
  /** stats: lines read. */
  intervals: number;
  /** Means over the intervals, and the peaks. */
  xactsPerSecond: { mean: number; max: number };
  queriesPerSecond: { mean: number; max: number };
  /** Average query time in the interval, µs. */
  queryUs: { mean: number; max: number };
  /** Average time clients waited for a server connection in the interval, µs; the time of the worst. */
  waitUs: { mean: number; max: number; maxAt: number | null };
}

export interface PgBouncerError {
  level: string;
  message: string;
  count: number;
  last: number | null;
  /** "database/user" of the clients that met it, and their addresses (without the port). */
  clients: string[];
  addresses: string[];
}

export interface PgBouncerSummary {
  version: string | null;
  maxClientConn: number | null;
  logins: number;
  loginsBy: Array<{ database: string | null; user: string | null; count: number }>;
  clients: number;
  serverConnections: number;
  /** WARNING and ERROR lines (pooler errors, failed logins), by message, with who met them (up to 5 each). */
  errors: PgBouncerError[];
  /** Why client (C) and server (S) connections closed, by reason. */
  closes: Array<{ side: "client" | "server"; reason: string; count: number }>;
  stats: PgBouncerStats | null;
}

export interface PgBouncerState {
  lines: number;
  version: string | null;
  maxClientConn: number | null;
  logins: Array<[string, number]>;
  clients: string[];
  serverConnections: number;
  errors: Array<[string, PgBouncerError]>;
  closes: Array<[string, number]>;
  stats: Array<{ time: number | null; xacts: number; queries: number; queryUs: number; waitUs: number }>;
}

const STATS =
  /^stats: (\d+) xacts\/s, (\d+) queries\/s,.*? xact (\d+) us, query (\d+) us, wait(?: time)? (\d+) us/;
const MAX_KINDS = 500;
const MAX_CLIENTS = 100_000;

export class PgBouncerCounter {
  private version: string | null = null;
  private maxClientConn: number | null = null;
  private readonly logins = new Map<string, number>();
  private readonly clients = new Set<string>();
  private serverConnections = 0;
  private readonly errors = new Map<string, PgBouncerSummary["errors"][number]>();
  private readonly closes = new Map<string, number>();
  private stats: PgBouncerState["stats"] = [];
  lines = 0;

  record(r: LogRecord): void {
    this.lines++;
    const m = r.message;
    const side = r.pgbouncer?.side ?? null;
    if (m.startsWith("stats: ")) {
      const s = STATS.exec(m);
      if (s)
        this.stats.push({
          time: r.time,
          xacts: Number(s[1]),
          queries: Number(s[2]),
          queryUs: Number(s[4]),
          waitUs: Number(s[5]),
        });
      return;
    }
    if (r.level === "WARNING" || r.level === "ERROR" || r.level === "FATAL") {
      const message = m.replace(/^pooler error: /, "");
      const key = `${r.level}|${message}`;
      let e = this.errors.get(key);
      if (e) {
        e.count++;
        e.last = r.time ?? e.last;
      } else if (this.errors.size < MAX_KINDS) {
        e = {
          level: detach(r.level),
          message: detach(message),
          count: 1,
          last: r.time,
          clients: [],
          addresses: [],
        };
        this.errors.set(detach(key), e);
      }
      if (e) {
        const client = `${r.database ?? "?"}/${r.user ?? "?"}`;
        const address = (r.pgbouncer?.address ?? "").replace(/:\d+$/, "");
        if (e.clients.length < 5 && !e.clients.includes(client)) e.clients.push(detach(client));
        if (address && e.addresses.length < 5 && !e.addresses.includes(address))
          e.addresses.push(detach(address));
      }
      return;
    }
    if (side === "C" && m.startsWith("login attempt: ")) {
      const key = `${r.database ?? ""}/${r.user ?? ""}`;
      this.logins.set(detach(key), (this.logins.get(key) ?? 0) + 1);
      const host = (r.pgbouncer?.address ?? "").replace(/:\d+$/, "");
      if (this.clients.size < MAX_CLIENTS && !this.clients.has(host)) this.clients.add(detach(host));
      return;
    }
    if (side === "S" && m.startsWith("new connection to server")) {
      this.serverConnections++;
      return;
    }
    if (side && m.startsWith("closing because: ")) {
      const reason = m.slice("closing because: ".length).replace(/ \(age=[^)]*\)$/, "");
      const key = `${side === "C" ? "client" : "server"}|${reason}`;
      if (this.closes.size < MAX_KINDS || this.closes.has(key))
        this.closes.set(detach(key), (this.closes.get(key) ?? 0) + 1);
      return;
    }
    const up = /^process up: (?:PgBouncer|pgbouncer) (\S+?),/.exec(m);
    if (up) this.version = detach(up[1] ?? null);
    const limit = /max_client_conn: (\d+)/.exec(m);
    if (limit) this.maxClientConn = Number(limit[1]);
  }

  state(): PgBouncerState {
    return {
      lines: this.lines,
      version: this.version,
      maxClientConn: this.maxClientConn,
      logins: [...this.logins],
      clients: [...this.clients],
      serverConnections: this.serverConnections,
      errors: [...this.errors],
      closes: [...this.closes],
      stats: this.stats,
    };
  }

  merge(s: PgBouncerState): void {
    this.version ??= s.version;
    this.maxClientConn ??= s.maxClientConn;
    for (const [k, n] of s.logins) this.logins.set(k, (this.logins.get(k) ?? 0) + n);
    for (const c of s.clients) if (this.clients.size < MAX_CLIENTS) this.clients.add(c);
    this.serverConnections += s.serverConnections;
    for (const [k, e] of s.errors) {
      const mine = this.errors.get(k);
      if (mine) {
        mine.count += e.count;
        if (e.last !== null && (mine.last === null || e.last > mine.last)) mine.last = e.last;
        for (const c of e.clients)
          if (mine.clients.length < 5 && !mine.clients.includes(c)) mine.clients.push(c);
        for (const a of e.addresses)
          if (mine.addresses.length < 5 && !mine.addresses.includes(a)) mine.addresses.push(a);
      } else if (this.errors.size < MAX_KINDS)
        this.errors.set(k, { ...e, clients: [...e.clients], addresses: [...e.addresses] });
    }
    for (const [k, n] of s.closes) this.closes.set(k, (this.closes.get(k) ?? 0) + n);
    this.stats = this.stats.concat(s.stats);
    this.lines += s.lines;
  }

  summary(): PgBouncerSummary | null {
    if (this.lines === 0) return null;
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    const s = this.stats;
    const mean = (f: (x: (typeof s)[number]) => number) =>
      Math.round(s.reduce((n, x) => n + f(x), 0) / Math.max(1, s.length));
    const max = (f: (x: (typeof s)[number]) => number) => s.reduce((n, x) => Math.max(n, f(x)), 0);
    const worstWait = s.reduce<(typeof s)[number] | null>(
      (w, x) => (!w || x.waitUs > w.waitUs ? x : w),
      null,
    );
    return {
      version: this.version,
      maxClientConn: this.maxClientConn,
      logins: [...this.logins.values()].reduce((a, b) => a + b, 0),
      loginsBy: [...this.logins]
        .map(([k, count]) => {
          const [database, user] = k.split("/");
          return { database: database || null, user: user || null, count };
        })
        .sort(byCount),
      clients: this.clients.size,
      serverConnections: this.serverConnections,
      errors: [...this.errors.values()].sort(byCount),
      closes: [...this.closes]
        .map(([k, count]) => {
          const [side, ...reason] = k.split("|");
          return { side: side as "client" | "server", reason: reason.join("|"), count };
        })
        .sort(byCount),
      stats: s.length
        ? {
            intervals: s.length,
            xactsPerSecond: { mean: mean((x) => x.xacts), max: max((x) => x.xacts) },
            queriesPerSecond: { mean: mean((x) => x.queries), max: max((x) => x.queries) },
            queryUs: { mean: mean((x) => x.queryUs), max: max((x) => x.queryUs) },
            waitUs: {
              mean: mean((x) => x.waitUs),
              max: max((x) => x.waitUs),
              maxAt: worstWait?.time ?? null,
            },
          }
        : null,
    };
  }
}
