/**
 * JSON logs with one object per line: PostgreSQL's own jsonlog (15+), and CloudNativePG's, where the instance
 * manager wraps each csvlog record the server writes as
 * `{"level":"info","ts":...,"logger":"postgres","msg":"record","logging_pod":"...","record":{"log_time":...,
 * "user_name":...,"database_name":...,"process_id":...,"error_severity":"LOG","message":"duration: ..."}}` — the
 * record's fields are csvlog's columns by name (CloudNativePG's pkg/management/log, pgBadger's CNPG capture).
 * The instance manager's own lines (other loggers, or "postgres" lines without a record) are not server messages:
 * they are counted as ignored, not as garbage.
 */
import type { LogRecord } from "./log-record.js";
import { logTime } from "./log-time.js";

export type JsonLogKind = "jsonlog" | "cnpg";

/** Whether a parsed JSON object is a CloudNativePG log line (a wrapped record or the operator's own). */
export function isCnpgLine(o: Record<string, unknown>): boolean {
  return typeof o.level === "string" && "ts" in o && typeof o.msg === "string";
}

export class JsonLogReader {
  records = 0;
  unmatched = 0;
  firstUnmatched: string | null = null;
  /** CloudNativePG lines that are not the server's records. */
  ignored = 0;

  constructor(
    private readonly emit: (record: LogRecord) => void,
    private readonly kind: JsonLogKind = "jsonlog",
  ) {}

  line(text: string): void {
    if (!text) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      o = {};
    }
    if (this.kind === "cnpg" && isCnpgLine(o)) {
      const r = o.record;
      if (o.logger !== "postgres" || typeof r !== "object" || r === null) {
        this.ignored++;
        return;
      }
      this.cnpg(r as Record<string, unknown>, text);
      return;
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

  private cnpg(o: Record<string, unknown>, text: string): void {
    if (typeof o.error_severity !== "string" || typeof o.message !== "string") {
      this.unmatched++;
      this.firstUnmatched ??= text;
      return;
    }
    this.records++;
    const s = (k: string) =>
      (typeof o[k] === "string" && o[k] !== "") || typeof o[k] === "number" ? String(o[k]) : null;
    this.emit({
      time: logTime(s("log_time") ?? undefined),
      pid: s("process_id"),
      user: s("user_name"),
      database: s("database_name"),
      application: s("application_name"),
      session: s("session_id"),
      vxid: s("virtual_transaction_id"),
      level: s("error_severity") ?? "LOG",
      sqlstate: s("sql_state_code"),
      message: s("message") ?? "",
      detail: s("detail"),
      statement: s("query"),
    });
  }
}
