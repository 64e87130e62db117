/**
 * COPY through `pg`'s own query queue, without pg-copy-streams: a query object `pg` submits like any other
 * (its "submittable" interface), that reads CopyData messages (COPY ... TO STDOUT) or sends them (COPY ... FROM
 * STDIN). The text format carries every type the same way between server versions (pg_dump's format); binary
 * would tie the copy to each type's internal layout. Backpressure both ways: a reader that returns a promise
 * pauses the source socket until it settles, and a writer waits for the target socket to drain.
 */
import { once } from "node:events";
import type { Socket } from "node:net";

/** The part of pg's Connection a submittable uses (not in @types/pg). */
interface WireConnection {
  stream: Socket;
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** Rows a COPY reported in its CommandComplete ("COPY 1234"). */
function copiedRows(text: string | undefined): number {
  const m = /^COPY (\d+)/.exec(text ?? "");
  return m ? Number(m[1]) : 0;
}

/** COPY ... TO STDOUT: every CopyData's bytes go to `read`; resolves with the rows copied. */
export class CopyOutQuery {
  private failure: unknown = null;
  private rows = 0;
  private settle!: { done: (rows: number) => void; fail: (error: unknown) => void };
  readonly finished: Promise<number>;

  constructor(
    private readonly text: string,
    private readonly read: (chunk: Buffer) => undefined | Promise<void>,
  ) {
    this.finished = new Promise((done, fail) => {
      this.settle = { done, fail };
    });
  }

  submit(connection: WireConnection): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }, connection: WireConnection): void {
    if (this.failure) return;
    try {
      // The parser's buffer is reused for the next messages: the reader gets bytes of its own.
      const waiting = this.read(Buffer.from(message.chunk));
      if (waiting) {
        connection.stream.pause();
        waiting.then(
          () => connection.stream.resume(),
          (error: unknown) => {
            this.failure ??= error;
            connection.stream.resume();
          },
        );
      }
    } catch (error) {
      this.failure ??= error;
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = copiedRows(message.text);
  }

  handleReadyForQuery(): void {
    if (this.failure) this.settle.fail(this.failure);
    else this.settle.done(this.rows);
  }

  handleError(error: unknown): void {
    this.settle.fail(error);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail("dbopt expected COPY TO STDOUT");
  }
}

/** Bytes gathered before one CopyData goes out: the source sends one message per row. */
const CHUNK_BYTES = 64 * 1024;

/** COPY ... FROM STDIN: `ready` once the server takes data; write(), then end() for the rows copied. */
export class CopyInQuery {
  private connection: WireConnection | null = null;
  private failure: unknown = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private rows = 0;
  private started!: { done: () => void; fail: (error: unknown) => void };
  private settle!: { done: (rows: number) => void; fail: (error: unknown) => void };
  readonly ready: Promise<void>;
  private readonly finished: Promise<number>;

  constructor(private readonly text: string) {
    this.ready = new Promise((done, fail) => {
      this.started = { done, fail };
    });
    this.finished = new Promise((done, fail) => {
      this.settle = { done, fail };
    });
    // Either may be awaited first; neither rejection may go unhandled meanwhile.
    this.ready.catch(() => {});
    this.finished.catch(() => {});
  }

  submit(connection: WireConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: WireConnection): void {
    this.connection = connection;
    this.started.done();
  }

  /** Queue bytes; a promise when the socket's buffer is full (wait for it before writing more). */
  write(chunk: Buffer): undefined | Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < CHUNK_BYTES) return undefined;
    return this.flush();
  }

  private flush(): undefined | Promise<void> {
    const connection = this.connection;
    if (!connection || this.pendingBytes === 0) return undefined;
    connection.sendCopyFromChunk(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
    return connection.stream.writableNeedDrain ? once(connection.stream, "drain").then(() => {}) : undefined;
  }

  async end(): Promise<number> {
    await this.flush();
    this.connection?.endCopyFrom();
    return this.finished;
  }

  /** Abandon the copy: the server rolls back what this COPY inserted. */
  abort(reason: string): Promise<number> {
    this.connection?.sendCopyFail(reason);
    return this.finished.catch(() => 0);
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = copiedRows(message.text);
  }

  handleReadyForQuery(): void {
    if (this.failure) this.settle.fail(this.failure);
    else this.settle.done(this.rows);
  }

  handleError(error: unknown): void {
    this.failure = error;
    this.started.fail(error);
    this.settle.fail(error);
  }

  handleCopyData(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}
