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

const DURATION =
  /^duration: (\d+(?:\.\d+)?) ms(?: {2}(statement|execute [^:]*|parse [^:]*|bind [^:]*|plan): ?([\s\S]*))?$/;
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
    const key = `${r.pid}|${r.session ?? ""}`;
    const m = DURATION.exec(r.message);
    if (m) {
      const ms = Number(m[1]);
      const kind = m[2];
      if (!kind) {
        const pending = this.waiting.get(key);
        if (pending) {
          this.waiting.delete(key);
          this.emit({ ...pending, durationMs: ms });
        }
        return;
      }
      if (kind === "plan") {
        this.plan(ms, m[3] ?? "", r);
        return;
      }
      if (kind.startsWith("parse") || kind.startsWith("bind")) return;
      this.flush(key);
      this.emit({ sql: m[3] ?? "", durationMs: ms, parameters: parameters(r.detail), record: r });
      return;
    }
    const s = STATEMENT_ONLY.exec(r.message);
    if (s) {
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
    const pending = this.waiting.get(key);
    if (!pending) return;
    this.waiting.delete(key);
    this.emit(pending);
  }
}

function parameters(detail: string | null): string | null {
  if (!detail) return null;
  const m = /^parameters: ([\s\S]*)$/i.exec(detail);
  return m ? (m[1] ?? null) : null;
}
