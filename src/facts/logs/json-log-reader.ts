/** jsonlog (PostgreSQL 15+): one JSON object per line. */
import type { LogRecord } from "./log-record.js";
import { logTime } from "./log-time.js";

export class JsonLogReader {
  records = 0;
  unmatched = 0;
  firstUnmatched: string | null = null;

  constructor(private readonly emit: (record: LogRecord) => void) {}

  line(text: string): void {
    if (!text) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      o = {};
    }
    // Every jsonlog record has a severity and a message; other JSON is not a server log.
    if (typeof o.error_severity !== "string" || typeof o.message !== "string") {
      this.unmatched++;
      this.firstUnmatched ??= text;
      return;
    }
    this.records++;
    const s = (k: string) => (typeof o[k] === "string" || typeof o[k] === "number" ? String(o[k]) : null);
    this.emit({
      time: logTime(s("timestamp") ?? undefined),
      pid: s("pid"),
      user: s("user"),
      database: s("dbname"),
      application: s("application_name"),
      session: s("session_id"),
      vxid: s("vxid"),
      level: s("error_severity") ?? "LOG",
      sqlstate: s("state_code"),
      message: s("message") ?? "",
      detail: s("detail"),
      statement: s("statement"),
    });
  }
}
