/**
 * Which reads follow their own writes, from traces: within one trace (a request, a job), a statement that reads a
 * table the same trace has already written would see stale rows on a lagging replica. Per statement fingerprint:
 * how often it ran after such a write, and how often it ran at all.
 */
import type { Fingerprinter } from "../logs/fingerprinter.js";
import type { DbSpan } from "../traces/otlp-spans.js";
import { statementTraits } from "./statement-traits.js";

/** Where one run came from: a line of a server log (its time and session), or a span of a trace. */
export type OwnWriteSource =
  | { kind: "log"; file: string; line: number | null; time: number | null; session: string | null }
  | { kind: "span"; traceId: string; spanId: string; name: string };

/** A read judged to follow its own write, and that write: the lines or spans behind the judgement. */
export interface OwnWriteExample {
  read: OwnWriteSource;
  write: OwnWriteSource | null;
}

/** The first runs of a statement that read their own writes, kept to show where the judgement came from. */
export const OWN_WRITE_EXAMPLES = 3;

/** Runs of a read statement: after its own write, and in all. Logs also say how the write was its own. */
export interface OwnWriteCounts {
  after: number;
  seen: number;
  /** The first few runs counted in `after`, with the write each followed. */
  examples?: OwnWriteExample[];
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
    // Each table the trace wrote, with the span that last wrote it.
    const written = new Map<string, DbSpan>();
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
        const write = t.tables.map((name) => written.get(baseName(name))).find((w) => w !== undefined);
        if (write) {
          entry.after++;
          entry.examples ??= [];
          if (entry.examples.length < OWN_WRITE_EXAMPLES)
            entry.examples.push({ read: spanSource(span), write: spanSource(write) });
        }
        out.set(fp, entry);
      }
      for (const w of t.writes) written.set(baseName(w), span);
    }
  }
  return out;
}

function spanSource(s: DbSpan): OwnWriteSource {
  return { kind: "span", traceId: s.traceId, spanId: s.spanId, name: s.name };
}

/** A source in one line: file:line (or the time and session when the log has no line numbers), or the span. */
export function sourceText(s: OwnWriteSource): string {
  if (s.kind === "span") return `trace ${s.traceId} span ${s.spanId} (${s.name})`;
  if (s.line !== null) return `${s.file}:${s.line}`;
  const at =
    s.time === null ? "" : ` at ${new Date(s.time).toISOString().replace("T", " ").slice(0, 23)} UTC`;
  return `${s.file}${at}${s.session ? `, session ${s.session}` : ""}`;
}

/** Tables compared by name alone: traces and statements qualify them differently (public.orders, orders). */
function baseName(table: string): string {
  return table.slice(table.lastIndexOf(".") + 1);
}
