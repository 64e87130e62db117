/** Everything else the server logs that matters for performance: errors, lock waits, deadlocks, temp files,
 * checkpoints and autovacuum runs, summarised. */
import { detach } from "../../util/detach-string.js";
import type { LogRecord } from "./log-record.js";

export interface LogEventSummary {
  errors: Array<{
    sqlstate: string | null;
    level: string;
    message: string;
    count: number;
    example: string | null;
  }>;
  lockWaits: { count: number; totalMs: number; maxMs: number; byMode: Record<string, number> };
  deadlocks: number;
  tempFiles: { count: number; totalBytes: number; maxBytes: number; example: string | null };
  checkpoints: { count: number; byReason: Record<string, number>; totalSeconds: number; maxSeconds: number };
  autovacuum: { vacuums: number; analyzes: number; topTables: Array<{ table: string; runs: number }> };
}

const LOCK_WAIT = /^process \d+ (?:still waiting|acquired) for (\w+) on .* after (\d+(?:\.\d+)?) ms/;
const TEMP_FILE = /^temporary file: path "[^"]*", size (\d+)/;
const CHECKPOINT_START = /^checkpoint starting: (.*)$/;
const CHECKPOINT_DONE = /^checkpoint complete: .*total=(\d+(?:\.\d+)?) s/;
const AUTOVACUUM =
  /^automatic (?:aggressive )?(vacuum|analyze)(?: to prevent wraparound)? of table "([^"]+)"/;
const MAX_ERROR_KINDS = 1000;

/** What LogEvents counted, as plain data, for merging what worker threads read. */
export interface LogEventsState {
  summary: LogEventSummary;
  lockWaitUs: number;
  checkpointMs: number;
  errors: Array<[string, LogEventSummary["errors"][number]]>;
  vacuumed: Map<string, number>;
}

export class LogEvents {
  private readonly errors = new Map<string, LogEventSummary["errors"][number]>();
  private readonly lockWaits: LogEventSummary["lockWaits"] = { count: 0, totalMs: 0, maxMs: 0, byMode: {} };
  private deadlocks = 0;
  private readonly tempFiles: LogEventSummary["tempFiles"] = {
    count: 0,
    totalBytes: 0,
    maxBytes: 0,
    example: null,
  };
  private readonly checkpoints: LogEventSummary["checkpoints"] = {
    count: 0,
    byReason: {},
    totalSeconds: 0,
    maxSeconds: 0,
  };
  private readonly vacuumed = new Map<string, number>();
  private vacuums = 0;
  private analyzes = 0;
  /** Sums kept in integers, so that merged parts add up exactly whatever their order. */
  private lockWaitUs = 0;
  private checkpointMs = 0;

  record(r: LogRecord): void {
    if (r.level === "ERROR" || r.level === "FATAL" || r.level === "PANIC") {
      if (r.message.startsWith("deadlock detected")) this.deadlocks++;
      // stderr appends the error position to the message; csvlog and jsonlog keep it in its own field.
      const message = r.message
        .replace(/ at character \d+$/, "")
        .replace(/"[^"]*"/g, '"…"')
        .replace(/\b\d+\b/g, "N");
      const key = `${r.sqlstate ?? ""}|${message}`;
      const e = this.errors.get(key);
      if (e) e.count++;
      else if (this.errors.size < MAX_ERROR_KINDS)
        this.errors.set(detach(key), {
          sqlstate: detach(r.sqlstate),
          level: detach(r.level),
          message: detach(message),
          count: 1,
          example: detach(r.statement),
        });
      return;
    }
    if (r.level !== "LOG") return;
    const m = r.message;
    // The first letter before any native call: nearly every LOG message is a statement's ("duration: ...").
    const first = m.charCodeAt(0);
    if (first !== 112 /* p */ && first !== 116 /* t */ && first !== 99 /* c */ && first !== 97 /* a */)
      return;
    if (m.startsWith("process ")) {
      const w = LOCK_WAIT.exec(m);
      if (w && m.includes("still waiting")) {
        const ms = Number(w[2]);
        this.lockWaits.count++;
        this.lockWaitUs += Math.round(ms * 1000);
        this.lockWaits.maxMs = Math.max(this.lockWaits.maxMs, ms);
        this.lockWaits.byMode[w[1] as string] = (this.lockWaits.byMode[w[1] as string] ?? 0) + 1;
      }
    } else if (m.startsWith("temporary file")) {
      const t = TEMP_FILE.exec(m);
      if (t) {
        const bytes = Number(t[1]);
        this.tempFiles.count++;
        this.tempFiles.totalBytes += bytes;
        if (bytes > this.tempFiles.maxBytes) {
          this.tempFiles.maxBytes = bytes;
          this.tempFiles.example = detach(r.statement);
        }
      }
    } else if (m.startsWith("checkpoint")) {
      const start = CHECKPOINT_START.exec(m);
      if (start) {
        // "time" and "wal" are the scheduled kinds; "immediate force wait" and the like were asked for.
        const flags = start[1] ?? "";
        const reason = /\btime\b/.test(flags)
          ? "time"
          : /\bwal\b/.test(flags)
            ? "wal"
            : /shutdown|end-of-recovery/.test(flags)
              ? "shutdown"
              : "requested";
        this.checkpoints.byReason[reason] = (this.checkpoints.byReason[reason] ?? 0) + 1;
      }
      const done = CHECKPOINT_DONE.exec(m);
      if (done) {
        const s = Number(done[1]);
        this.checkpoints.count++;
        this.checkpointMs += Math.round(s * 1000);
        this.checkpoints.maxSeconds = Math.max(this.checkpoints.maxSeconds, s);
      }
    } else if (m.startsWith("automatic ")) {
      const a = AUTOVACUUM.exec(m);
      if (a) {
        if (a[1] === "vacuum") this.vacuums++;
        else this.analyzes++;
        const table = a[2] as string;
        const runs = this.vacuumed.get(table);
        this.vacuumed.set(runs === undefined ? detach(table) : table, (runs ?? 0) + 1);
      }
    }
  }

  state(): LogEventsState {
    return {
      summary: this.summary(),
      lockWaitUs: this.lockWaitUs,
      checkpointMs: this.checkpointMs,
      errors: [...this.errors],
      vacuumed: this.vacuumed,
    };
  }

  merge(state: LogEventsState): void {
    const s = state.summary;
    for (const [key, e] of state.errors) {
      const mine = this.errors.get(key);
      if (mine) mine.count += e.count;
      else if (this.errors.size < MAX_ERROR_KINDS) this.errors.set(key, { ...e });
    }
    this.deadlocks += s.deadlocks;
    const w = this.lockWaits;
    w.count += s.lockWaits.count;
    this.lockWaitUs += state.lockWaitUs;
    w.maxMs = Math.max(w.maxMs, s.lockWaits.maxMs);
    for (const [mode, n] of Object.entries(s.lockWaits.byMode)) w.byMode[mode] = (w.byMode[mode] ?? 0) + n;
    const t = this.tempFiles;
    t.count += s.tempFiles.count;
    t.totalBytes += s.tempFiles.totalBytes;
    if (s.tempFiles.maxBytes > t.maxBytes) {
      t.maxBytes = s.tempFiles.maxBytes;
      t.example = s.tempFiles.example;
    }
    const c = this.checkpoints;
    c.count += s.checkpoints.count;
    this.checkpointMs += state.checkpointMs;
    c.maxSeconds = Math.max(c.maxSeconds, s.checkpoints.maxSeconds);
    for (const [reason, n] of Object.entries(s.checkpoints.byReason))
      c.byReason[reason] = (c.byReason[reason] ?? 0) + n;
    this.vacuums += s.autovacuum.vacuums;
    this.analyzes += s.autovacuum.analyzes;
    for (const [table, n] of state.vacuumed) this.vacuumed.set(table, (this.vacuumed.get(table) ?? 0) + n);
  }

  summary(): LogEventSummary {
    return {
      errors: [...this.errors.values()].sort((a, b) => b.count - a.count),
      lockWaits: { ...this.lockWaits, totalMs: Math.round(this.lockWaitUs / 1000) },
      deadlocks: this.deadlocks,
      tempFiles: this.tempFiles,
      checkpoints: {
        ...this.checkpoints,
        totalSeconds: this.checkpointMs / 1000,
      },
      autovacuum: {
        vacuums: this.vacuums,
        analyzes: this.analyzes,
        topTables: [...this.vacuumed]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 10)
          .map(([table, runs]) => ({ table, runs })),
      },
    };
  }
}
