/**
 * Opening a log: a file or standard input, plain or compressed (gzip, bzip2, xz, zstd, told by their magic
 * bytes, not by the file name). gzip goes through node:zlib; bzip2, xz and zstd through the system's own tool
 * (`bzip2 -dc`, `xz -dc`, `zstd -dc`) as a child process stream — Node has no decoder for them, and the tools are
 * the reference implementations, already on most servers the logs come from. Corrupt or cut-short data, a
 * missing tool, an archive or a binary file each become one InputError that names the file and what to do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { InputError } from "../../util/input-error.js";
import { printable } from "./printable-text.js";

export type Compression = "gzip" | "bzip2" | "xz" | "zstd";

/** A log's text in chunks: a stream (standard input), chunks read synchronously from a plain file, or the
 * decompressed text of a compressed input. */
export type LogInput = Readable | Iterable<string> | AsyncIterable<string>;

const CHUNK = 64 << 10;
const HEAD = 512;

const TOOLS: Record<Exclude<Compression, "gzip">, { command: string; debian: string }> = {
  bzip2: { command: "bzip2", debian: "bzip2" },
  xz: { command: "xz", debian: "xz-utils" },
  zstd: { command: "zstd", debian: "zstd" },
};

/** The compression a file's first bytes announce, or null. */
export function compressionOf(head: Uint8Array): Compression | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x1f, 0x8b)) return "gzip";
  // "BZh" and a block size digit 1-9.
  if (at(0, 0x42, 0x5a, 0x68) && (head[3] ?? 0) >= 0x31 && (head[3] ?? 0) <= 0x39) return "bzip2";
  if (at(0, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  if (at(0, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  return null;
}

/** Containers and compressions dbopt does not open, by their magic bytes: what they are and what to do. */
export function foreignFormat(head: Uint8Array): { what: string; hint: string } | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x50, 0x4b, 0x03, 0x04))
    return { what: "a zip archive", hint: "unzip it and give the log files" };
  if (at(0, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c))
    return { what: "a 7-Zip archive", hint: "extract it (7z x) and give the log files" };
  if (at(0, 0x04, 0x22, 0x4d, 0x18))
    return { what: "lz4-compressed", hint: "decompress it: lz4 -dc FILE | dbopt logs -" };
  if (at(0, 0x1f, 0x9d))
    return { what: "compress(1)-compressed (.Z)", hint: "decompress it: gzip -dc FILE | dbopt logs -" };
  if (at(257, 0x75, 0x73, 0x74, 0x61, 0x72))
    return { what: "a tar archive", hint: "extract it (tar xf) and give the log files or their folder" };
  return null;
}

/**
 * Open a path ("-" for standard input). A plain file is read synchronously in 64 kB chunks: nothing else runs
 * meanwhile, and it spares the stream machinery (a tenth of the time on large logs). A named pipe (mkfifo, a
 * shell's <(zcat …)) or a device is read once from its start as a stream, like standard input: it has no size, no
 * offsets to read at, and what is read from it is gone.
 */
export async function openLog(
  path: string,
  options: { onCompressedBytes?: (bytes: number) => void } = {},
): Promise<LogInput> {
  const name = path === "-" ? "standard input" : path;
  if (path !== "-" && (await readAsStream(path))) return openStream(name, createReadStream(path));
  if (path !== "-") {
    const head = await readHead(path);
    const compression = compressionOf(head);
    if (compression) {
      const source = createReadStream(path);
      // Progress of a compressed file is in its own bytes: the text is several times larger.
      const count = options.onCompressedBytes;
      if (count) source.on("data", (chunk) => count(chunk.length));
      return decompressed(name, source, compression);
    }
    refuseForeign(name, head);
    return fileChunks(path, 0, (await stat(path)).size);
  }
  return openStream(name, process.stdin);
}

/** A stream says what it is only in its first bytes: wait for them, and put them back. */
async function openStream(name: string, stream: Readable): Promise<LogInput> {
  await new Promise<void>((resolve, reject) => {
    stream.once("readable", resolve);
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  const head = stream.read() as Buffer | null;
  if (!head) return stream;
  stream.unshift(head);
  const compression = compressionOf(head);
  if (compression) return decompressed(name, stream, compression);
  refuseForeign(name, head);
  return stream;
}

/**
 * A path that is no regular file (a named pipe, a device): it is read once from its start as a stream, and reading
 * its head would take it from the reader.
 */
export async function readAsStream(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && !info.isFile() && !info.isDirectory();
}

/**
 * The compression of a file, or null for plain text; a one-line error when the file does not exist. A named pipe
 * is not peeked at (null): openLog tells its compression from the bytes it reads.
 */
export async function fileCompression(path: string): Promise<Compression | null> {
  if (await readAsStream(path)) return null;
  return compressionOf(await readHead(path));
}

/** Bytes start..end of a file as text, in chunks cut on UTF-8 character boundaries. */
export function* fileChunks(path: string, start: number, end: number): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder("utf8");
    for (let pos = start; pos < end; ) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
      if (n === 0) break;
      pos += n;
      yield decoder.write(buf.subarray(0, n));
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

/** Text that holds a NUL byte is not a log: say what it is instead of showing its bytes. */
export function binaryInputError(name: string, text: string): InputError | null {
  const head = text.slice(0, 4096);
  if (!head.includes("\0")) return null;
  const foreign = foreignFormat(Buffer.from(head, "latin1"));
  return new InputError(
    `${name} is not a text log: it holds binary data${foreign ? ` (${foreign.what})` : ""}`,
    foreign?.hint ??
      "give the server's log file itself (plain text, or compressed with gzip, bzip2, xz or zstd)",
  );
}

function refuseForeign(name: string, head: Uint8Array): void {
  const foreign = foreignFormat(head);
  if (foreign) throw new InputError(`${name} is ${foreign.what}, not a log`, foreign.hint);
}

async function readHead(path: string): Promise<Buffer> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new InputError(
        `${path} does not exist`,
        "give the path of a PostgreSQL log file, or - for standard input",
      );
    if (code === "EACCES")
      throw new InputError(`${path} cannot be read (permission denied)`, "run as a user who may read it");
    throw e;
  }
  try {
    const buf = Buffer.alloc(HEAD);
    const { bytesRead } = await file.read(buf, 0, HEAD, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * The text of a compressed stream. Errors of the decoder or the tool (corrupt data, a cut-short file) end the
 * iteration with one InputError; a child process still running when the reader stops early is ended.
 */
async function* decompressed(name: string, source: Readable, kind: Compression): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  if (kind === "gzip") {
    const gunzip = createGunzip();
    source.on("error", (e) => gunzip.destroy(e));
    source.pipe(gunzip);
    try {
      for await (const buf of gunzip) yield decoder.write(buf as Buffer);
    } catch (e) {
      throw corrupt(name, kind, e instanceof Error ? e.message : String(e));
    } finally {
      source.unpipe(gunzip);
      if (source !== process.stdin) source.destroy();
    }
    const rest = decoder.end();
    if (rest) yield rest;
    return;
  }
  const tool = TOOLS[kind];
  let child: ChildProcess;
  try {
    child = spawn(tool.command, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  } catch {
    throw missingTool(name, kind);
  }
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  try {
    await spawned;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw missingTool(name, kind);
    throw e;
  }
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  // The tool stops reading when the data is corrupt: its closed input is not our error, its exit code is.
  child.stdin?.on("error", () => {});
  source.on("error", (e) => child.stdout?.destroy(e));
  if (child.stdin) source.pipe(child.stdin);
  let finished = false;
  try {
    for await (const buf of child.stdout as Readable) yield decoder.write(buf as Buffer);
    const code = await exited;
    finished = true;
    if (code !== 0)
      throw corrupt(name, kind, toolMessage(stderr, tool.command) || `${tool.command} exited with ${code}`);
  } finally {
    if (!finished) {
      if (child.stdin) source.unpipe(child.stdin);
      child.kill();
    }
    if (source !== process.stdin) source.destroy();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

function missingTool(name: string, kind: Exclude<Compression, "gzip">): InputError {
  const tool = TOOLS[kind];
  return new InputError(
    `${name} is ${kind}-compressed and reading it needs the ${tool.command} command, which is not installed`,
    `install it (Debian/Ubuntu: apt-get install ${tool.debian}; macOS: brew install ${tool.command === "bzip2" ? "bzip2" : tool.command}) or decompress the file first`,
  );
}

function corrupt(name: string, kind: Compression, detail: string): InputError {
  const command = kind === "gzip" ? "gzip" : TOOLS[kind].command;
  const file =
    name === "standard input"
      ? ""
      : ` ${/^[\w./+-]+$/.test(name) ? name : `'${name.replaceAll("'", "'\\''")}'`}`;
  return new InputError(
    `${name}: the ${kind} data is corrupt or cut short (${printable(detail.replace(/[;:.\s]+$/, ""), 160)})`,
    file
      ? `to read the part that is whole: ${command} -dc${file} 2>/dev/null | dbopt logs -`
      : `check the command that produced it; ${command} -dc reads the part that is whole`,
  );
}

/** The tool's complaint on one line, without its program-name prefix ("bzip2: ", "xz: FILE: "). */
function toolMessage(stderr: string, command: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(
      (l) =>
        l &&
        !/^\s*(?:You can use|Input file =|It is possible|Perhaps|If you are|contact|Data integrity)/i.test(l),
    );
  const line =
    lines.find((l) => /error|corrupt|unexpected|truncat|premature|invalid|damaged/i.test(l)) ??
    lines[0] ??
    "";
  return line
    .replace(new RegExp(`^${command}:\\s*`), "")
    .replace(/^(?:\(stdin\)|\/\*stdin\*\\)\s*:\s*/, "")
    .replace(/^Read error \(\d+\) : /, "");
}

/**
 * A file's lines last to first, as text chunks: a log exported newest first (log viewers' downloads) read in the
 * order the server wrote it. Blocks are read from the end and cut at newlines, so a character is never split.
 */
export function* fileLinesReversed(path: string, size: number): Generator<string> {
  const fd = openSync(path, "r");
  try {
    let carry = Buffer.alloc(0);
    let trailing = true;
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - CHUNK);
      const block = Buffer.allocUnsafe(end - start);
      readSync(fd, block, 0, block.length, start);
      end = start;
      let buf = Buffer.concat([block, carry]);
      // The file's final newline ends its last line; it does not start an empty one.
      if (trailing) {
        if (buf.at(-1) === 10) buf = buf.subarray(0, -1);
        trailing = false;
      }
      const first = start === 0 ? -1 : buf.indexOf(10);
      if (start > 0 && first < 0) {
        carry = buf;
        continue;
      }
      carry = start === 0 ? Buffer.alloc(0) : buf.subarray(0, first);
      const lines = buf.toString("utf8", first + 1).split("\n");
      yield `${lines.reverse().join("\n")}\n`;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a log runs newest first, from the times of its records: most steps from one record to the next go back
 * in time. A few steps back are normal (processes write out of order within a second).
 */
export class OrderCheck {
  private last: number | null = null;
  private back = 0;
  private forward = 0;

  time(t: number | null): void {
    if (t === null) return;
    if (this.last !== null) {
      if (t < this.last - 1) this.back++;
      else if (t > this.last + 1) this.forward++;
    }
    this.last = t;
  }

  get newestFirst(): boolean {
    return this.back >= 5 && this.back > 4 * this.forward;
  }
}
