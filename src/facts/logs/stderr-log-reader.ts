/**
 * The stderr (and syslog-stripped) log format: a log_line_prefix, a level, two spaces, the message; lines that
 * start with a tab continue the message before them; DETAIL, HINT, STATEMENT ... lines belong to the message
 * just written by the same process.
 */

import { compilePrefix, type PrefixField } from "./log-line-prefix.js";
import { ATTACHED, type LogRecord } from "./log-record.js";
import { epochTime, logTime } from "./log-time.js";
import { BytePrefix, FIELD, LEVEL_NAMES } from "./prefix-bytes.js";

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
  /** The prefix matched on bytes (see bytes()); null when it is not ASCII. */
  readonly bytePrefix: BytePrefix | null;
  /** Each field's last value as bytes and as text: consecutive lines mostly share their user, database, pid. */
  private readonly fieldTexts = Array.from({ length: 9 }, () => new FieldText());

  constructor(
    prefix: string,
    private readonly emit: (record: LogRecord) => void,
  ) {
    ({ re: this.re, head: this.head, field: this.field } = compilePrefix(prefix));
    this.bytePrefix = BytePrefix.compile(prefix);
  }

  /**
   * The line `b[from, to)` as UTF-8 bytes, without its line end: the same as line(its text), without a string per
   * line. The caller checked that no line terminator (\r, U+2028, U+2029) is in it, and whether its chunk is
   * ASCII (`ascii`: text is then read as latin1, a plain copy). Lines other than a message's first (tab-led,
   * unmatched, empty) go to line().
   */
  bytes(b: Buffer, from: number, to: number, ascii: boolean): void {
    const p = this.bytePrefix as BytePrefix;
    const at = b[from] === 9 || from === to ? -1 : p.match(b, from, to);
    if (at < 0) {
      this.line(ascii ? latin1(b, from, to) : utf8(b, from, to));
      return;
    }
    if ((++this.matched & (STALE_EVERY - 1)) === 0) this.flushStale();
    const message = ascii ? latin1(b, at, to) : utf8(b, at, to);
    const level = LEVEL_NAMES[p.level] as string;
    const pid = this.pidOf(b);
    const key = pid ?? "";
    if (level !== "LOG" && ATTACHED_LEVELS.has(level)) {
      this.attach(key, level, message);
      return;
    }
    const f = this.field;
    const time = f.time
      ? this.fieldOf(b, FIELD.time, ascii)
      : f.epoch
        ? this.fieldOf(b, FIELD.epoch, ascii)
        : null;
    this.begin(key, {
      time: time === null ? null : f.time ? this.timeOf(time) : epochTime(time),
      pid,
      user: this.fieldOf(b, FIELD.user, ascii),
      database: this.fieldOf(b, FIELD.db, ascii),
      application: this.fieldOf(b, FIELD.app, ascii),
      session: this.fieldOf(b, FIELD.session, ascii),
      vxid: this.fieldOf(b, FIELD.vxid, ascii),
      level,
      sqlstate: this.fieldOf(b, FIELD.sqlstate, ascii),
      message,
      detail: null,
      statement: null,
    });
  }

  /** The %p field: processes interleave, so its text is kept per number, not only the last one. */
  private pidOf(b: Buffer): string | null {
    const p = this.bytePrefix as BytePrefix;
    const start = p.start[FIELD.pid] as number;
    const end = p.end[FIELD.pid] as number;
    // Digits only (the matcher's \d+). Past 15 of them a number would lose digits, and with a leading zero two
    // texts would share one: those are decoded each time.
    if (start >= end) return null;
    if (end - start > 15 || b[start] === 48) return latin1(b, start, end);
    let key = 0;
    for (let k = start; k < end; k++) key = key * 10 + ((b[k] as number) - 48);
    let text = this.pids.get(key);
    if (text === undefined) {
      if (this.pids.size >= 1 << 16) this.pids.clear();
      text = latin1(b, start, end);
      this.pids.set(key, text);
    }
    return text;
  }
  private readonly pids = new Map<number, string>();

  /** logTime of a %t/%m field, again only when its text changed (FieldText keeps the same string then). */
  private timeOf(text: string): number | null {
    if (text !== this.lastTimeText) {
      this.lastTimeText = text;
      this.lastTime = logTime(text);
    }
    return this.lastTime;
  }
  private lastTimeText = "";
  private lastTime: number | null = null;

  /** A field of the line bytes() matched last, null when empty or absent (as line()'s `m[i] || null`). */
  private fieldOf(b: Buffer, field: number, ascii: boolean): string | null {
    const p = this.bytePrefix as BytePrefix;
    const start = p.start[field] as number;
    const end = p.end[field] as number;
    if (start >= end) return null;
    return (this.fieldTexts[field] as FieldText).of(b, start, end, ascii);
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
      this.attach(key, level, message);
      return;
    }
    this.begin(key, {
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
    });
  }

  /** A DETAIL, STATEMENT ... line: to the message its process has open, if any. */
  private attach(key: string, level: string, message: string): void {
    const record = this.open.get(key);
    if (!record) return;
    const field = level === "DETAIL" ? "detail" : level === "STATEMENT" ? "statement" : null;
    if (field) record[field] = message;
    this.lastRecord = record;
    this.lastField = field;
  }

  /** A new message of the process `key`: the one it had open is complete. */
  private begin(key: string, record: LogRecord): void {
    const previous = this.open.get(key);
    if (previous) this.emit(previous);
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

/** A field's last value, as bytes and as text: the text is decoded again only when the bytes change. */
class FieldText {
  private bytes = new Uint8Array(64);
  private length = -1;
  private text = "";

  of(b: Buffer, start: number, end: number, ascii: boolean): string {
    const n = end - start;
    const bytes = this.bytes;
    if (n === this.length) {
      let k = 0;
      while (k < n && bytes[k] === b[start + k]) k++;
      if (k === n) return this.text;
    }
    this.text = ascii ? latin1(b, start, end) : utf8(b, start, end);
    if (n > bytes.length) this.bytes = new Uint8Array(n * 2);
    this.bytes.set(b.subarray(start, end));
    this.length = n;
    return this.text;
  }
}

/** Buffer's own decoders, without toString's argument handling (they run for every line's message). */
interface Decoders {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const latin1 = (b: Buffer, start: number, end: number) => (b as unknown as Decoders).latin1Slice(start, end);
const utf8 = (b: Buffer, start: number, end: number) => (b as unknown as Decoders).utf8Slice(start, end);
