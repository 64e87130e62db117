import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileBytes } from "./file-bytes.js";
import { fileChunks } from "./log-input.js";
import type { LogRecord } from "./log-record.js";
import { readLog } from "./read-logs.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "dbopt-read-bytes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same file read as text chunks (the path every input had) and as bytes (FileBytes, small chunks). */
async function both(text: string | Buffer, options: { prefix?: string; lineNumbers?: boolean } = {}) {
  const path = join(dir, `log-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(path, text);
  const size = statSync(path).size;
  const read = async (input: Iterable<string> | FileBytes) => {
    const records: LogRecord[] = [];
    const stats = await readLog(path, input, (r) => records.push(r), options);
    return { stats, records };
  };
  const want = await read(fileChunks(path, 0, size));
  for (const chunk of [97, 4096, 1 << 20])
    expect(await read(new FileBytes(path, 0, size, chunk))).toEqual(want);
  return want;
}

const PREFIX = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ";
const line = (pid: number, rest: string, user = "u") =>
  `2026-11-26 10:00:0${pid % 10} UTC [${pid}]: [1-1] user=${user},db=d,app=a,client=c ${rest}`;

describe("readLog on bytes", () => {
  it("reads the stderr fixtures as their text is read, line numbers too", async () => {
    for (const name of [
      "pg15-stderr.log",
      "pg18-stderr.log",
      "pg15-custom-prefix.log",
      "pg15-prefix-db-user.log",
    ]) {
      const text = readFileSync(`${FIXTURES}${name}`, "utf8");
      const { records } = await both(text, { lineNumbers: true });
      expect(records.length).toBeGreaterThan(20);
      // Past the first lines (read as text to detect the format), repeated so that the bytes carry on.
      await both(text.repeat(40));
    }
  });

  it("reads multi-byte text in fields and messages, split across chunks, as the text is read", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 600; i++)
      lines.push(
        line(
          100 + (i % 7),
          `LOG:  duration: 0.${i} ms  statement: SELECT 'é€😀${i}' FROM "Tablé İ" WHERE x = ${i}`,
          i % 3 ? "u" : "ünïcødé",
        ),
        line(100 + (i % 7), `DETAIL:  parameters: $1 = 'ü${i}'`),
        `\tAND y = 'ß${i}'`,
      );
    const { records } = await both(lines.join("\n"), { prefix: PREFIX, lineNumbers: true });
    expect(records.some((r) => r.user === "ünïcødé")).toBe(true);
  });

  it("reads CRLF, \\r and U+2028 inside lines, unmatched lines and a last line without a line feed as text does", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++)
      lines.push(
        line(
          200 + (i % 5),
          `LOG:  duration: 1.${i} ms  statement: select ${i}${i % 50 === 0 ? "\u2028 -- x" : ""}`,
        ),
        i % 37 === 0 ? "garbage that is no log line" : line(200 + (i % 5), "LOG:  checkpoint starting: time"),
        i % 61 === 0 ? `${line(9, "LOG:  duration: 2 ms  statement: select 'a\rb'")}` : "",
      );
    const text = lines.join("\n");
    const { stats } = await both(text, { prefix: PREFIX });
    expect(stats.skipped).toBeGreaterThan(0);
    await both(text.replace(/\n/g, "\r\n"), { prefix: PREFIX });
    await both(`${text}\n${line(3, "LOG:  duration: 3 ms  statement: select 'last'")}`, { prefix: PREFIX });
    // A file cut inside a character: the decoder's replacement, as for text.
    await both(
      Buffer.concat([
        Buffer.from(`${text}\n${line(4, "LOG:  duration: 4 ms  statement: select '")}`),
        Buffer.from([0xe2, 0x82]),
      ]),
    );
  });
});
