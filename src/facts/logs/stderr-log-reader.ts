/**
 * The stderr (and syslog-stripped) log format: a log_line_prefix, a level, two spaces, the message; lines that
 * start with a tab continue the message before them; DETAIL, HINT, STATEMENT ... lines belong to the message
 * just written by the same process.
 */

import { compilePrefix, type PrefixField } from "./log-line-prefix.js";
import { ATTACHED, type LogRecord } from "./log-record.js";
import { epochTime, logTime } from "./log-time.js";

const ATTACHED_LEVELS = new Set<string>(ATTACHED);
/** Lines between checks for messages left open by processes gone quiet (a power of two). */
const STALE_EVERY = 4096;

export class StderrLogReader {
  /** Lines that neither match the prefix nor continue a message. */
  unmatched = 0;
  firstUnmatched: string | null = null;
  matched = 0;
  /** The lines given now hold no line terminator (\r, U+2028, U+2029): the caller checked their chunk. */
  plain = false;
  /** The file's line number of the line given next, when the caller counts them (readLog's lineNumbers). */
  lineNumber: number | null = null;
  private readonly open = new Map<string, LogRecord>();
  /** The open records at the last check for stale ones (see flushStale). */
  private readonly wasOpen = new Map<string, LogRecord>();
  /** Where a tab-led continuation line goes: the last line's record and field (two fields, not an object per
   * line: this runs for every line of the log). */
  private lastRecord: LogRecord | null = null;
  private lastField: "message" | "detail" | "statement" | null = null;

  private readonly re: RegExp;
  private readonly head: RegExp;
  private readonly field: Record<PrefixField, number>;

  constructor(
    prefix: string,
    private readonly emit: (record: LogRecord) => void,
  ) {
    ({ re: this.re, head: this.head, field: this.field } = compilePrefix(prefix));
  }

  line(text: string): void {
    if (text.charCodeAt(0) === 9 /* tab */) {
      const record = this.lastRecord;
      const field = this.lastField;
      if (record && field) record[field] = `${record[field] ?? ""}\n${text.slice(1)}`;
      return;
    }
    if (text.length === 0) return;
    // The prefix and level first; the message is the rest of the line, unless a line terminator in it makes the
    // full expression decide (see compilePrefix). A line the head does not match, the full one does not either.
    let m = this.head.exec(text);
    let message = "";
    if (m && !this.plain && hasTerminator(text, m[0].length)) {
      m = this.re.exec(text);
      message = m?.[this.field.message] ?? "";
    } else if (m) message = text.slice(m[0].length);
    if (!m) {
      this.unmatched++;
      this.firstUnmatched ??= text;
      this.lastRecord = null;
      return;
    }
    if ((++this.matched & (STALE_EVERY - 1)) === 0) this.flushStale();
    const f = this.field;
    // Fields the prefix lacks have index 0; m[0] is the whole line, so guard with the index.
    const pid = (f.pid && m[f.pid]) || null;
    const level = m[f.level] as string;
    const key = pid ?? "";
    // Most lines are LOG: a three-character comparison instead of hashing the level for the set.
    if (level !== "LOG" && ATTACHED_LEVELS.has(level)) {
      const record = this.open.get(key);
      if (!record) return;
      const field = level === "DETAIL" ? "detail" : level === "STATEMENT" ? "statement" : null;
      if (field) record[field] = message;
      this.lastRecord = record;
      this.lastField = field;
      return;
    }
    const previous = this.open.get(key);
    if (previous) this.emit(previous);
    const record: LogRecord = {
      time: f.time ? logTime(m[f.time]) : f.epoch ? epochTime(m[f.epoch]) : null,
      pid,
      user: (f.user && m[f.user]) || null,
      database: (f.db && m[f.db]) || null,
      application: (f.app && m[f.app]) || null,
      session: (f.session && m[f.session]) || null,
      vxid: (f.vxid && m[f.vxid]) || null,
      level,
      sqlstate: (f.sqlstate && m[f.sqlstate]) || null,
      message,
      detail: null,
      statement: null,
    };
    if (this.lineNumber !== null) record.line = this.lineNumber;
    this.open.set(key, record);
    this.lastRecord = record;
    this.lastField = "message";
  }

  /**
   * A process's last message waited here until that process wrote again, which an idle or finished session may
   * never do before the end of the log, while what follows reads on: the N+1 detector closed that session's run
   * one statement short. A message's DETAIL and STATEMENT lines follow it at once, so one still open after
   * STALE_EVERY to twice as many lines is complete: emit it.
   */
  private flushStale(): void {
    for (const [key, record] of this.wasOpen)
      if (this.open.get(key) === record && record !== this.lastRecord) {
        this.open.delete(key);
        this.emit(record);
      }
    this.wasOpen.clear();
    for (const [key, record] of this.open) this.wasOpen.set(key, record);
  }

  /** Emit the messages still open (call at the end of the input). */
  end(): void {
    for (const record of this.open.values()) this.emit(record);
    this.open.clear();
    this.wasOpen.clear();
    this.lastRecord = null;
  }
}

/** Whether text from `from` on holds a character that ends a line for a regular expression's `.` and `$`. */
function hasTerminator(text: string, from: number): boolean {
  return (
    text.indexOf("\r", from) >= 0 || text.indexOf("\u2028", from) >= 0 || text.indexOf("\u2029", from) >= 0
  );
}
