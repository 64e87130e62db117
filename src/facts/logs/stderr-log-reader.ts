/**
 * The stderr (and syslog-stripped) log format: a log_line_prefix, a level, two spaces, the message; lines that
 * start with a tab continue the message before them; DETAIL, HINT, STATEMENT ... lines belong to the message
 * just written by the same process.
 */

import type { LogRecord } from "./log-record.js";
import { epochTime, logTime } from "./log-time.js";

const ATTACHED_LEVELS = new Set(["DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"]);

export class StderrLogReader {
  /** Lines that neither match the prefix nor continue a message. */
  unmatched = 0;
  firstUnmatched: string | null = null;
  matched = 0;
  private readonly open = new Map<string, LogRecord>();
  private last: { record: LogRecord; field: "message" | "detail" | "statement" | null } | null = null;

  constructor(
    private readonly prefix: RegExp,
    private readonly emit: (record: LogRecord) => void,
  ) {}

  line(text: string): void {
    if (text.charCodeAt(0) === 9 /* tab */) {
      const last = this.last;
      if (last?.field) last.record[last.field] = `${last.record[last.field] ?? ""}\n${text.slice(1)}`;
      return;
    }
    if (text.length === 0) return;
    const m = this.prefix.exec(text);
    const g = m?.groups;
    if (!g) {
      this.unmatched++;
      this.firstUnmatched ??= text;
      this.last = null;
      return;
    }
    this.matched++;
    const pid = g.pid ?? null;
    const level = g.level as string;
    const key = pid ?? "";
    if (ATTACHED_LEVELS.has(level)) {
      const record = this.open.get(key);
      if (!record) return;
      const field = level === "DETAIL" ? "detail" : level === "STATEMENT" ? "statement" : null;
      if (field) record[field] = g.message ?? "";
      this.last = { record, field };
      return;
    }
    const previous = this.open.get(key);
    if (previous) this.emit(previous);
    const record: LogRecord = {
      time: g.time ? logTime(g.time) : epochTime(g.epoch),
      pid,
      user: g.user || null,
      database: g.db || null,
      application: g.app || null,
      session: g.session ?? null,
      vxid: g.vxid || null,
      level,
      sqlstate: g.sqlstate ?? null,
      message: g.message ?? "",
      detail: null,
      statement: null,
    };
    this.open.set(key, record);
    this.last = { record, field: "message" };
  }

  /** Emit the messages still open (call at the end of the input). */
  end(): void {
    for (const record of this.open.values()) this.emit(record);
    this.open.clear();
    this.last = null;
  }
}
