/**
 * One client's connection in the load driver. `pg` opens it (authentication, TLS, the session's SETs); then the
 * driver speaks the protocol itself: a call is one write of prebuilt messages and a scan of the answer for
 * ReadyForQuery, with no row ever decoded. Through `pg`'s query path the same client cost about three times
 * pgbench's CPU per call, and on a busy machine that CPU is the throughput.
 *
 * Without TLS the socket reads into one buffer of its own (net's `onread`): no Buffer is allocated and no stream
 * event emitted per answer, which took a third of the driver's CPU per call. While `pg` sets the connection up,
 * each read is handed to it as a copy in a 'data' event. With TLS, `pg` wraps the socket, and the driver reads the
 * wrapper's 'data' events. Without TLS a call is also written straight to the socket's descriptor (write(2) on the
 * non-blocking socket, which takes a few dozen bytes at once): net's write path made a request object and a tick per
 * call. What the kernel does not take at once goes through the socket as usual.
 */
import { writeSync } from "node:fs";
import { Socket } from "node:net";
import pg from "pg";
import { errorText } from "./wire-messages.js";

const READY_FOR_QUERY = 0x5a;
const ERROR_RESPONSE = 0x45;
const PARSE_COMPLETE = 0x31;
/** The sockets' read buffer: a whole answer of a call that returns a few rows in one read. */
const READ_BUFFER_BYTES = 64 * 1024;
/**
 * One per thread, shared by its sockets: a read is parsed (and what it leaves unfinished copied) before the
 * thread reads again, and one buffer stays in the cache where one per client would not.
 */
let readBuffer: Buffer | null = null;

export type CallDone = (error: string | null, parsed: boolean) => void;

export class WireSession {
  private leftover: Buffer | null = null;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the unfinished message, once its header arrived. */
  private needed = 0;
  private error: string | null = null;
  private waiting: CallDone | null = null;
  /** A ParseComplete arrived for the call in flight: its statement is prepared even if Execute then failed. */
  private parseComplete = false;
  private closed = false;
  private takenOver = false;
  private socket: Socket | null = null;
  /** The plain socket's descriptor, written directly; -1 with TLS (the wrapper encrypts) or without one. */
  private fd = -1;
  private tls = false;
  private client: pg.Client | null = null;

  /** Connect, run the session's setup SQL through `pg`, then take the socket over. Throws what `pg` throws. */
  static async open(connection: pg.ClientConfig, setupSql: string): Promise<WireSession> {
    const session = new WireSession();
    const client = new pg.Client({
      ...connection,
      application_name: "dbopt bench",
      // pg calls this with its resolved settings; `ssl` is set when it will wrap the socket in TLS.
      stream: ((settings: { ssl?: unknown }) => session.newSocket(Boolean(settings.ssl))) as never,
    });
    session.client = client;
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query(setupSql);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    session.takeOver(client);
    return session;
  }

  get broken(): boolean {
    return this.closed;
  }

  /**
   * Send prebuilt messages ending in Sync (or a Query), bytes[from, to); `done` gets the error text, or null, and whether a Parse in
   * them completed, when ReadyForQuery arrives, called from the socket's read so the next call can be written at
   * once, as pgbench does.
   */
  send(bytes: Uint8Array, from: number, to: number, done: CallDone): void {
    if (this.closed || !this.socket) {
      done("the connection closed", false);
      return;
    }
    this.waiting = done;
    this.parseComplete = false;
    // A destroyed socket's descriptor may already be another file's.
    if (this.fd >= 0 && !this.socket.destroyed) {
      let written = 0;
      try {
        written = writeSync(this.fd, bytes, from, to - from);
      } catch {
        // EAGAIN, or the connection is gone: the socket writes it, or reports the close.
      }
      if (from + written < to) this.socket.write(bytes.slice(from + written, to));
      return;
    }
    this.socket.write(bytes.slice(from, to));
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
  }

  private newSocket(tls: boolean): Socket {
    this.tls = tls;
    if (tls) return new Socket();
    readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const buffer = readBuffer;
    const socket: Socket = new Socket({
      onread: {
        buffer,
        callback: (bytes: number, into: Uint8Array): void => {
          if (this.takenOver) this.read(into as Buffer, bytes);
          // pg's reader keeps what it is given: a copy, as the buffer is read into again.
          else socket.emit("data", Buffer.from(into.subarray(0, bytes)));
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
    return socket;
  }

  private takeOver(client: pg.Client): void {
    // pg keeps its socket (the TLS wrapper, with TLS) on the connection; not in its types.
    const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    this.socket = socket;
    this.takenOver = true;
    // net keeps the descriptor on its handle (Unix); not in its types.
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (!this.tls && typeof fd === "number" && fd >= 0) this.fd = fd;
    socket.removeAllListeners("data");
    socket.on("data", (chunk: Buffer) => this.read(chunk, chunk.length));
    socket.on("close", () => {
      this.closed = true;
      this.fd = -1;
      const done = this.waiting;
      this.waiting = null;
      done?.("the connection closed", false);
    });
  }

  /** The answer bytes chunk[0, end); the chunk may be read into again after this returns. */
  private read(chunk: Buffer, end: number): void {
    if (this.leftover) {
      // A message spans reads: gather copies until it is whole, and join them once (a large row may take many).
      this.parts.push(Buffer.from(chunk.subarray(0, end)));
      this.partBytes += end;
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
      end = chunk.length;
      this.leftover = null;
      this.parts = [];
      this.partBytes = 0;
      this.needed = 0;
    }
    let at = 0;
    while (end - at >= 5) {
      const length =
        ((chunk[at + 1] as number) << 24) |
        ((chunk[at + 2] as number) << 16) |
        ((chunk[at + 3] as number) << 8) |
        (chunk[at + 4] as number);
      if (end - at < 1 + length) break;
      const type = chunk[at];
      if (type === READY_FOR_QUERY) {
        const done = this.waiting;
        const error = this.error;
        this.waiting = null;
        this.error = null;
        done?.(error, this.parseComplete);
      } else if (type === ERROR_RESPONSE) this.error ??= errorText(chunk.subarray(at + 5, at + 1 + length));
      else if (type === PARSE_COMPLETE) this.parseComplete = true;
      at += 1 + length;
    }
    // Keep the unfinished message (copied: the chunk is read into again).
    if (at < end) {
      this.leftover = Buffer.from(chunk.subarray(at, end));
      this.needed = this.leftover.length >= 5 ? 1 + this.leftover.readInt32BE(1) : 0;
    }
  }
}
