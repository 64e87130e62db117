import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../util/input-error.js";
import { compressionOf, openLog } from "./log-input.js";
import type { LogRecord } from "./log-record.js";
import { printable } from "./printable-text.js";
import { readLog } from "./read-logs.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;
const PLAIN = `${FIXTURES}pg15-prefix-db-user.log`;

async function read(path: string) {
  const records: LogRecord[] = [];
  const stats = await readLog(path, await openLog(path), (r) => records.push(r));
  return { stats, records };
}

async function failure(path: string): Promise<InputError> {
  const error = await read(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("compressed logs", () => {
  const plain = read(PLAIN);

  it.each(["gz", "bz2", "xz", "zst"])("reads .%s made by the real tool as the plain file", async (ext) => {
    const path = `${FIXTURES}compressed/pg15-prefix-db-user.log.${ext}`;
    const { stats, records } = await read(path);
    const expected = await plain;
    expect(stats.prefix).toBe("%t [%p]: db=%d,user=%u ");
    expect(stats.records).toBe(expected.stats.records);
    expect(records).toEqual(expected.records);
  });

  it("tells the compression by the magic bytes, whatever the name", () => {
    const magic = (ext: string) =>
      compressionOf(readFileSync(`${FIXTURES}compressed/pg15-prefix-db-user.log.${ext}`).subarray(0, 8));
    expect(["gz", "bz2", "xz", "zst"].map(magic)).toEqual(["gzip", "bzip2", "xz", "zstd"]);
    expect(compressionOf(readFileSync(PLAIN).subarray(0, 8))).toBeNull();
  });

  it.each([
    ["gz", "gzip", /unexpected end of file/],
    ["bz2", "bzip2", /ends unexpectedly/],
    ["xz", "xz", /Unexpected end of input/],
    ["zst", "zstd", /premature end/],
  ])(
    "a cut-short .%s is one line that names the file and the way to read what is whole",
    async (ext, kind, why) => {
      const path = `${FIXTURES}compressed/cut-short.log.${ext}`;
      const e = await failure(path);
      expect(e.message).toContain(`${path}: the ${kind} data is corrupt or cut short`);
      expect(e.message).toMatch(why);
      expect(e.message).not.toContain("\n");
      expect(e.hint).toBe(`to read the part that is whole: ${kind} -dc ${path} 2>/dev/null | dbopt logs -`);
    },
  );

  it("names the package to install when the tool is missing", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const e = await failure(`${FIXTURES}compressed/pg15-prefix-db-user.log.xz`);
      expect(e.message).toMatch(
        /is xz-compressed and reading it needs the xz command, which is not installed$/,
      );
      expect(e.hint).toMatch(/apt-get install xz-utils/);
    } finally {
      process.env.PATH = path;
    }
  });

  it("says what an archive or a binary file is instead of showing its bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-binary-"));
    const zip = join(dir, "logs.zip");
    writeFileSync(
      zip,
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), Buffer.alloc(64)]),
    );
    const e = await failure(zip);
    expect(e.message).toBe(`${zip} is a zip archive, not a log`);
    // A real binary (this node executable): no raw byte reaches the message.
    const elf = await failure(process.execPath);
    expect(elf.message).toBe(`${process.execPath} is not a text log: it holds binary data`);
  });
});

describe("printable", () => {
  it("escapes control characters and bytes that were not UTF-8, and names binary data", () => {
    expect(printable("LOG:\u001b[31m red\u0007")).toBe("LOG:\\x1b[31m red\\x07");
    expect(printable("a\ufffdb")).toBe("a\\ufffdb");
    expect(printable("BZh91AY&SY\ufffd\u0000\ufffd\u0001\ufffd\u0002\ufffd\u0003\ufffd\u0004")).toMatch(
      /^\(binary data, \d+ characters\)$/,
    );
    expect(printable("x".repeat(200), 20)).toBe(`${"x".repeat(17)}...`);
    expect(printable("one\n\ttwo")).toBe("one two");
  });
});
