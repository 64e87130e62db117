/**
 * Statements out of log messages: `duration: X ms  statement: ...` and `... execute <name>: ...` (with their
 * `DETAIL: parameters:`), `statement:` lines paired with the `duration:` line log_duration writes after them,
 * and auto_explain's `duration: X ms  plan:`. Parse and bind steps of the extended protocol are not statements.
 */
import type { LogRecord } from "./log-record.js";

export interface StatementEvent {
  sql: string;
  durationMs: number | null;
  parameters: string | null;
  record: LogRecord;
}

const STATEMENT_ONLY = /^(statement|execute [^:]*): ([\s\S]*)$/;

export class StatementExtractor {
  /** A `statement:` line waiting for the `duration:` line of the same process. */
  private readonly waiting = new Map<string, StatementEvent>();

  constructor(
    private readonly emit: (event: StatementEvent) => void,
    private readonly plan: (durationMs: number, text: string, record: LogRecord) => void = () => {},
  ) {}

  record(r: LogRecord): void {
    if (r.level !== "LOG") return;
    const text = r.message;
    // Hand-parsed: this runs once per logged statement, millions of times on a large log.
    if (text.startsWith("duration: ")) {
      const msEnd = text.indexOf(" ms", 10);
      if (msEnd < 0) return;
      const ms = decimal(text, 10, msEnd);
      if (Number.isNaN(ms)) return;
      const key = sessionKey(r);
      if (msEnd + 3 === text.length) {
        // log_duration's line after its statement: line.
        const pending = this.waiting.get(key);
        if (pending) {
          this.waiting.delete(key);
          pending.durationMs = ms;
          this.emit(pending);
        }
        return;
      }
      if (!text.startsWith("  ", msEnd + 3)) return;
      const kindAt = msEnd + 5;
      // The kind first: the extended protocol's parse and bind lines (two of its three) need no slice.
      const statement = text.startsWith("statement", kindAt) || text.startsWith("execute ", kindAt);
      if (!statement && !text.startsWith("plan", kindAt)) return;
      const colon = text.indexOf(":", kindAt);
      if (colon < 0) return;
      if (statement) {
        const sql = text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
        this.flush(key);
        this.emit({ sql, durationMs: ms, parameters: parameters(r.detail), record: r });
      } else {
        this.plan(ms, text.slice(colon + 1).replace(/^\n/, ""), r);
      }
      // parse and bind steps of the extended protocol are not statements.
      return;
    }
    const s = STATEMENT_ONLY.exec(text);
    if (s) {
      const key = sessionKey(r);
      this.flush(key);
      this.waiting.set(key, {
        sql: s[2] ?? "",
        durationMs: null,
        parameters: parameters(r.detail),
        record: r,
      });
    }
  }

  end(): void {
    for (const key of [...this.waiting.keys()]) this.flush(key);
  }

  private flush(key: string): void {
    // Empty unless the log pairs statement: lines with duration: lines (log_statement with log_duration).
    if (this.waiting.size === 0) return;
    const pending = this.waiting.get(key);
    if (!pending) return;
    this.waiting.delete(key);
    this.emit(pending);
  }
}

/** Process id, with the session id when the prefix has %c (pids are reused across sessions). */
export function sessionKey(r: LogRecord): string {
  return r.session === null ? (r.pid ?? "") : `${r.pid}|${r.session}`;
}

/** "12.345" between from and to, without allocating a substring. */
function decimal(text: string, from: number, to: number): number {
  let whole = 0;
  let i = from;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return Number.NaN;
    whole = whole * 10 + (c - 48);
  }
  if (i === from) return Number.NaN;
  let fraction = 0;
  let scale = 1;
  for (i++; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    fraction = fraction * 10 + (c - 48);
    scale *= 10;
  }
  return whole + fraction / scale;
}

function parameters(detail: string | null): string | null {
  // "parameters: $1 = '1'" (PostgreSQL 13–17), "Parameters: ..." (18).
  if (!detail || !(detail.startsWith("parameters: ") || detail.startsWith("Parameters: "))) return null;
  return detail.slice(12);
}
