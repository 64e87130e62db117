/**
 * Every call of a statement, encoded before the run into one block of bytes with an offset per call: Bind +
 * Execute + Sync per parameter set (prepared), or a Query with the set's literals (simple). The block and the
 * offsets live in SharedArrayBuffers, so the worker threads read the same bytes without a copy, and a call costs
 * one socket write of a slice with no encoding. Built once per run, in the thread that starts it.
 */
import { tagged } from "../../connectors/postgres/postgres-connector.js";
import { bindMessage, EXECUTE_SYNC, parseMessage, queryMessage } from "./wire-messages.js";

export type Protocol = "simple" | "prepared";

export interface CallMessages {
  /** Parse of the statement under its name (prepared); empty for the simple protocol. */
  parse: Uint8Array;
  /** Every call's messages, one after another. */
  bytes: Uint8Array;
  /** Call i is bytes[offsets[i], offsets[i + 1]): one more offset than calls. */
  offsets: Int32Array;
}

export interface CallSource {
  /** The statement with $n, as prepared. */
  sql: string;
  /** Bind values per drawn set (prepared); empty when it takes no parameters. */
  values: ReadonlyArray<ReadonlyArray<string | null>>;
  /** The statement with each set's literals inlined (simple protocol); [sql] when it takes none. */
  inlined: readonly string[];
}

/** The name the k-th statement is prepared under on every connection. */
export function statementName(k: number): string {
  return `dbopt_bench_${k}`;
}

export function buildCallMessages(source: CallSource, k: number, protocol: Protocol): CallMessages {
  const name = statementName(k);
  const calls: Buffer[] =
    protocol === "prepared"
      ? (source.values.length ? source.values : [[]]).map((v) =>
          Buffer.concat([bindMessage(name, v), EXECUTE_SYNC]),
        )
      : (source.inlined.length ? source.inlined : [source.sql]).map((t) => queryMessage(tagged(t)));
  let total = 0;
  for (const c of calls) total += c.length;
  const bytes = new Uint8Array(new SharedArrayBuffer(total));
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (calls.length + 1)));
  let at = 0;
  calls.forEach((c, i) => {
    offsets[i] = at;
    bytes.set(c, at);
    at += c.length;
  });
  offsets[calls.length] = at;
  const parse = protocol === "prepared" ? parseMessage(name, tagged(source.sql)) : new Uint8Array(0);
  return { parse, bytes, offsets };
}

/** Each call as its own Buffer view on the shared block (views, not copies: one write each, no allocation). */
export function callViews(messages: CallMessages): Buffer[] {
  const { bytes, offsets } = messages;
  const views: Buffer[] = new Array(offsets.length - 1);
  for (let i = 0; i + 1 < offsets.length; i++)
    views[i] = Buffer.from(
      bytes.buffer,
      bytes.byteOffset + (offsets[i] as number),
      (offsets[i + 1] as number) - (offsets[i] as number),
    );
  return views;
}
