/**
 * csvlog: one CSV record per message, fields quoted with doubled quotes inside, newlines allowed in quoted
 * fields. Parsed as a character stream so records can span input chunks.
 */

import type { LogRecord } from "./log-record.js";
import { logTime } from "./log-time.js";

export class CsvLogReader {
  records = 0;
  private field = "";
  private fields: string[] = [];
  private quoted = false;
  private quoteSeen = false;

  constructor(private readonly emit: (record: LogRecord) => void) {}

  chunk(text: string): void {
    let field = this.field;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.quoted) {
        if (c === 34 /* " */) {
          field += text.slice(start, i);
          start = i + 1;
          this.quoted = false;
          this.quoteSeen = true;
        }
        continue;
      }
      if (c === 34) {
        // A quote right after a closing quote is an escaped quote.
        field += this.quoteSeen ? '"' : text.slice(start, i);
        start = i + 1;
        this.quoted = true;
        this.quoteSeen = false;
      } else if (c === 44 /* , */) {
        this.fields.push(field + text.slice(start, i));
        field = "";
        start = i + 1;
        this.quoteSeen = false;
      } else if (c === 10 /* \n */) {
        this.fields.push(field + text.slice(start, i).replace(/\r$/, ""));
        field = "";
        start = i + 1;
        this.quoteSeen = false;
        this.record(this.fields);
        this.fields = [];
      } else this.quoteSeen = false;
    }
    this.field = field + text.slice(start);
  }

  end(): void {
    if (this.field || this.fields.length) {
      this.fields.push(this.field);
      this.record(this.fields);
    }
    this.field = "";
    this.fields = [];
  }

  private record(f: string[]): void {
    if (f.length < 14) return;
    this.records++;
    this.emit({
      time: logTime(f[0]),
      user: f[1] || null,
      database: f[2] || null,
      pid: f[3] || null,
      session: f[5] || null,
      vxid: f[9] || null,
      level: f[11] ?? "LOG",
      sqlstate: f[12] || null,
      message: f[13] ?? "",
      detail: f[14] || null,
      statement: f[19] || null,
      application: f[22] || null,
    });
  }
}
