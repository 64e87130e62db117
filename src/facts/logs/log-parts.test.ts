import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { LogAnalysis } from "./log-analysis.js";
import { fileChunks } from "./log-input.js";
import { prefixRegex } from "./log-line-prefix.js";
import { logParts } from "./log-parts.js";
import { DETECT_LINES, detectLog, readerPrefix, readLog } from "./read-logs.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;
const settings = { minRepeats: 5, maxGapMs: 1000, filter: null };

/** What the worker threads do: byte ranges cut at message starts, read apart, merged in order. */
async function inParts(path: string, parts: number) {
  const head = readFileSync(path, "utf8").split("\n").slice(0, DETECT_LINES);
  const { format, prefix } = detectLog(path, head, {});
  const full = readerPrefix(format, prefix);
  const size = statSync(path).size;
  const ranges = await logParts(path, size, parts, format, full === null ? null : prefixRegex(full));
  const [first, ...rest] = await Promise.all(
    ranges.map(async (range, i) => {
      const analysis = new LogAnalysis(settings, i > 0);
      await readLog(path, fileChunks(path, range.start, range.end), (r) => analysis.record(r), {
        format,
        ...(prefix !== null ? { prefix } : {}),
      });
      analysis.flush();
      return analysis;
    }),
  );
  for (const a of rest) first?.merge(a.state());
  return { ranges, result: first?.result() };
}

async function whole(path: string) {
  const analysis = new LogAnalysis(settings);
  await readLog(path, fileChunks(path, 0, statSync(path).size), (r) => analysis.record(r));
  analysis.flush();
  return analysis.result();
}

describe("logParts on the hosted services' layouts and PgBouncer", () => {
  it.each([
    "pg15-cloudsql.json",
    "pg15-cnpg.json",
    "heroku-logplex.log",
    "pg15-syslog-db-user.log",
    "pg15-prefix-rds.log",
    "pgbouncer-1.18.log",
  ])("%s read in four parts gives what one reading gives", async (file) => {
    await loadSqlParser();
    const path = FIXTURES + file;
    const { ranges, result } = await inParts(path, 4);
    expect(ranges.length).toBe(4);
    const one = await whole(path);
    expect(result?.statements).toEqual(one.statements);
    expect(result?.events).toEqual(one.events);
    expect(result?.nPlusOne).toEqual(one.nPlusOne);
    expect(result?.pgbouncer).toEqual(one.pgbouncer);
  });
});
