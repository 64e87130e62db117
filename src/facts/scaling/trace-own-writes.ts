/**
 * Which reads follow their own writes, from traces: within one trace (a request, a job), a statement that reads a
 * table the same trace has already written would see stale rows on a lagging replica. Per statement fingerprint:
 * how often it ran after such a write, and how often it ran at all.
 */
import type { Fingerprinter } from "../logs/fingerprinter.js";
import type { DbSpan } from "../traces/otlp-spans.js";
import { statementTraits } from "./statement-traits.js";

/** Runs of a read statement: after its own write, and in all. Logs also say how the write was its own. */
export interface OwnWriteCounts {
  after: number;
  seen: number;
  /** Of `after`: in the transaction that wrote (logs only). */
  inTransaction?: number;
  /** Of `after`: within the window after the session committed the write (logs only). */
  withinWindow?: number;
}

export type OwnWrites = Map<string, OwnWriteCounts>;

export function traceOwnWrites(spans: DbSpan[], fingerprints: Fingerprinter): OwnWrites {
  const byTrace = new Map<string, DbSpan[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const out: OwnWrites = new Map();
  const traits = new Map<string, ReturnType<typeof statementTraits>>();
  for (const list of byTrace.values()) {
    list.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
    const written = new Set<string>();
    for (const span of list) {
      const fp = fingerprints.shape(span.query).fingerprint;
      let t = traits.get(fp);
      if (!t) {
        t = statementTraits(span.query);
        traits.set(fp, t);
      }
      if (t.kind === "read") {
        const entry = out.get(fp) ?? { after: 0, seen: 0 };
        entry.seen++;
        if (t.tables.some((name) => written.has(baseName(name)))) entry.after++;
        out.set(fp, entry);
      }
      for (const w of t.writes) written.add(baseName(w));
    }
  }
  return out;
}

/** Tables compared by name alone: traces and statements qualify them differently (public.orders, orders). */
function baseName(table: string): string {
  return table.slice(table.lastIndexOf(".") + 1);
}
