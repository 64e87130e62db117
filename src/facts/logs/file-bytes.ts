/**
 * A plain file's bytes start..end in chunks, for readers that work on bytes (the stderr reader's byte path):
 * no decoding to text up front, and one buffer reused for every chunk — the caller is done with a chunk (or
 * copies what it keeps) before it asks for the next.
 */
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 256 << 10;

export class FileBytes implements Iterable<Buffer> {
  constructor(
    readonly path: string,
    readonly start: number,
    readonly end: number,
    /** Bytes per chunk (tests cut lines and characters across chunks with small ones). */
    private readonly chunk = CHUNK,
  ) {}

  *[Symbol.iterator](): Iterator<Buffer> {
    const fd = openSync(this.path, "r");
    try {
      const buf = Buffer.allocUnsafe(this.chunk);
      for (let pos = this.start; pos < this.end; ) {
        const n = readSync(fd, buf, 0, Math.min(this.chunk, this.end - pos), pos);
        if (n === 0) break;
        pos += n;
        yield buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  }
}
