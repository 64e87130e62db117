/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps a substring as a view into
 * its parent, so one short SQL text kept from a log line would keep the whole 64 KB chunk it came from alive;
 * aggregates that outlive the chunk keep copies instead.
 */
export function detach(s: string): string;
export function detach(s: string | null): string | null;
export function detach(s: string | null): string | null {
  return s === null ? null : Buffer.from(s, "utf8").toString("utf8");
}
