/**
 * One client's connection in the load driver. `pg` opens it (authentication, TLS, the session's SETs); then the
 * driver takes the socket over and speaks the protocol itself: a call is one write of prebuilt messages and a scan
 * of the answer for ReadyForQuery, with no row ever decoded. Through `pg`'s query path the same client cost about
 * three times pgbench's CPU per call, and on a busy machine that CPU is the throughput.
 */
import type { Socket } from "node:net";
import type pg from "pg";
import { errorText } from "./wire-messages.js";

const READY_FOR_QUERY = 0x5a;
const ERROR_RESPONSE = 0x45;
const PARSE_COMPLETE = 0x31;

export class WireSession {
  private leftover: Buffer | null = null;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the unfinished message, once its header arrived. */
  private needed = 0;
  private error: string | null = null;
  private waiting: ((error: string | null, parsed: boolean) => void) | null = null;
  /** A ParseComplete arrived for the call in flight: its statement is prepared even if Execute then failed. */
  private parseComplete = false;
  private closed = false;
  private readonly socket: Socket;

  constructor(private readonly client: pg.Client) {
    // pg keeps its socket on the connection; not in its types.
    this.socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    this.socket.removeAllListeners("data");
    this.socket.on("data", (chunk: Buffer) => this.read(chunk));
    this.socket.on("close", () => {
      this.closed = true;
      this.waiting?.("the connection closed", false);
      this.waiting = null;
    });
  }

  get broken(): boolean {
    return this.closed;
  }

  /**
   * Send prebuilt messages ending in Sync (or a Query); `done` gets the error text, or null, and whether a Parse in
   * them completed, when ReadyForQuery
   * arrives, called from the socket's data handler so the next call can be written at once, as pgbench does.
   */
  send(messages: Buffer, done: (error: string | null, parsed: boolean) => void): void {
    if (this.closed) {
      done("the connection closed", false);
      return;
    }
    this.waiting = done;
    this.parseComplete = false;
    this.socket.write(messages);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private read(chunk: Buffer): void {
    if (this.leftover) {
      // A message spans chunks: gather them until it is whole, and join them once (a large row may take many).
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      if (this.needed === 0) {
        const joined = Buffer.concat([this.leftover, ...this.parts]);
        this.leftover = joined;
        this.parts = [];
        this.partBytes = 0;
        if (joined.length < 5) return;
        this.needed = 1 + joined.readInt32BE(1);
      }
      if (this.leftover.length + this.partBytes < this.needed) return;
      chunk = Buffer.concat([this.leftover, ...this.parts]);
      this.leftover = null;
      this.parts = [];
      this.partBytes = 0;
      this.needed = 0;
    }
    let at = 0;
    while (chunk.length - at >= 5) {
      const length = chunk.readInt32BE(at + 1);
      if (chunk.length - at < 1 + length) break;
      const type = chunk[at];
      if (type === ERROR_RESPONSE) this.error ??= errorText(chunk.subarray(at + 5, at + 1 + length));
      else if (type === PARSE_COMPLETE) this.parseComplete = true;
      else if (type === READY_FOR_QUERY) {
        const done = this.waiting;
        const error = this.error;
        this.waiting = null;
        this.error = null;
        done?.(error, this.parseComplete);
      }
      at += 1 + length;
    }
    // Keep the unfinished message (copied: the chunk's memory is not ours to hold).
    if (at < chunk.length) {
      this.leftover = Buffer.from(chunk.subarray(at));
      this.needed = this.leftover.length >= 5 ? 1 + this.leftover.readInt32BE(1) : 0;
    }
  }
}
