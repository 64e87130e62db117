import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../../util/input-error.js";
import type { LogRecord } from "./log-record.js";
import { readLog } from "./read-logs.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;
const PG15 = readFileSync(`${FIXTURES}pg15-stderr.log`, "utf8");
const PG18 = readFileSync(`${FIXTURES}pg18-stderr.log`, "utf8");

async function read(
  text: string | Buffer,
  options: { prefix?: string; format?: import("./read-logs.js").LogFormat } = {},
  chunk = 4096,
) {
  const records: LogRecord[] = [];
  const data = typeof text === "string" ? Buffer.from(text) : text;
  // Small chunks: lines and multi-byte characters split across reads must come out whole.
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  const stats = await readLog("test.log", Readable.from(parts), (r) => records.push(r), options);
  return { stats, records };
}

describe("readLog", () => {
  it("reads a message up to a line terminator the way the prefix's full expression does", async () => {
    const line = (pid: number, sql: string) =>
      `2026-11-26 10:00:0${pid} UTC [${pid}]: [1-1] user=u,db=d,app=a,client=c LOG:  duration: 1.0 ms  statement: ${sql}`;
    // U+2028 and a lone \r end a line for `.` and `$`: the full expression skips such a line; lines beside it read.
    const text = [
      line(1, "select 1"),
      line(2, "select 2\u2028"),
      line(3, "select 3\r -- x"),
      line(4, "select 4"),
    ].join("\n");
    const prefix = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ";
    for (const chunk of [16, 4096]) {
      const { stats, records } = await read(
        `${[...Array(200)].map(() => line(5, "select 5")).join("\n")}\n${text}\n`,
        { prefix },
        chunk,
      );
      expect(stats.skipped).toBe(2);
      expect(records.filter((r) => r.pid !== "5").map((r) => r.message)).toEqual([
        "duration: 1.0 ms  statement: select 1",
        "duration: 1.0 ms  statement: select 4",
      ]);
    }
  });

  it("detects Debian's prefix and pgBadger's", async () => {
    expect((await read(PG15)).stats.prefix).toBe("%m [%p] %q%u@%d ");
    expect((await read(PG18)).stats.prefix).toBe("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ");
  });

  it("reads the prefix's fields and attaches DETAIL lines to their message", async () => {
    const { records } = await read(PG18, {}, 7);
    // PostgreSQL 18 writes "Parameters:", 15 "parameters:".
    const r = records.find((x) => /^parameters:/i.test(x.detail ?? "") && x.message.includes("execute"));
    expect(r).toMatchObject({ level: "LOG", user: "postgres", application: "shop-api" });
    expect(r?.pid).toMatch(/^\d+$/);
    expect(r?.time).toBeGreaterThan(Date.UTC(2026, 0, 1));
    expect(r?.message).toMatch(/^duration: [\d.]+ ms {2}execute [^:]+: select id, total from orders/);
  });

  it("keeps multi-line statements whole", async () => {
    const log = [
      "2026-11-26 10:00:00.000 UTC [42] LOG:  duration: 1.5 ms  statement: select a,",
      "\tb",
      "\tfrom t where c = 'é'",
      "2026-11-26 10:00:00.100 UTC [42] LOG:  duration: 0.5 ms  statement: select 1",
    ].join("\n");
    const { records } = await read(log, {}, 5);
    expect(records.map((r) => r.message)).toEqual([
      "duration: 1.5 ms  statement: select a,\nb\nfrom t where c = 'é'",
      "duration: 0.5 ms  statement: select 1",
    ]);
  });

  it("takes a given prefix, and says so with an example line when no line matches it", async () => {
    expect((await read(PG15, { prefix: "%m [%p] %q%u@%d " })).records.length).toBeGreaterThan(100);
    const err = await read(PG15, { prefix: "%t [%p]: [%l-1] " }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /no line matches log_line_prefix '%t \[%p\]: \[%l-1\] '; a line reads: 2026-/,
    );
    expect((err as InputError).hint).toMatch(/--prefix/);
  });

  it("refuses text that is not a PostgreSQL log instead of reporting nothing", async () => {
    const err = await read("GET /index.html 200\nGET /favicon.ico 404\n").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /no known log_line_prefix matches its lines; a line reads: GET \/index/,
    );
    await expect(read("")).rejects.toThrow(/is empty/);
    await expect(read('{"not": "a log"}\n')).rejects.toThrow(
      /its lines are JSON but no line is a PostgreSQL jsonlog record/,
    );
  });

  it("reads RDS lines exported from CloudWatch, CloudWatch's own time in front", async () => {
    const rds = readFileSync(`${FIXTURES}pg15-prefix-rds.log`, "utf8");
    let iso = "";
    const cloudwatch = rds
      .split("\n")
      .map((l) => {
        const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC:/.exec(l);
        if (m) iso = `${m[1]}T${m[2]}.000Z`;
        return m ? `${iso} ${l}` : l;
      })
      .join("\n");
    const plain = await read(rds);
    const exported = await read(cloudwatch);
    expect(exported.stats).toMatchObject({ format: "stderr", prefix: "%m %t:%r:%u@%d:[%p]:", skipped: 0 });
    expect(exported.records.map((r) => [r.time, r.user, r.database, r.message, r.detail])).toEqual(
      plain.records.map((r) => [r.time, r.user, r.database, r.message, r.detail]),
    );
  });

  it("reads pretty-printed Cloud Logging entries one after another, and names the formats when forced wrong", async () => {
    const entries = readFileSync(`${FIXTURES}pg15-cloudsql.json`, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.stringify(JSON.parse(l), null, 2));
    const pretty = await read(`${entries.join("\n")}\n`, {}, 333);
    const lines = await read(readFileSync(`${FIXTURES}pg15-cloudsql.json`, "utf8"));
    expect(pretty.stats).toMatchObject({ format: "cloudsql", skipped: 0 });
    expect(pretty.records).toEqual(lines.records);
    // MySQL's general log is recognised, and the log dbopt reads named.
    const general = (await read(
      "2026-11-26T20:17:59.123456Z\t   12 Connect\troot@localhost on shop\n2026-11-26T20:17:59.124000Z\t   12 Query\tselect 1\n",
    ).catch((e: unknown) => e)) as InputError;
    expect(general.message).toBe(
      "test.log looks like a MySQL/MariaDB general query log, which has no query times",
    );
    expect(general.hint).toMatch(/--log-format mysql-slow/);
    // A stderr log forced through a reader of another format says which formats there are.
    const forced = (await read(PG15, { format: "logplex" }).catch((e: unknown) => e)) as InputError;
    expect(forced).toBeInstanceOf(InputError);
    expect(forced.message).toMatch(
      /^test\.log: no line is a Heroku Postgres \(app\[postgres\.N\]\) line; the first reads: 2026-/,
    );
    expect(forced.hint).toMatch(
      /leave --log-format out .*: stderr, syslog, csvlog, jsonlog, cloudsql, cnpg, logplex/,
    );
    const cloud = (await read(PG15, { format: "cloudsql" }).catch((e: unknown) => e)) as InputError;
    expect(cloud.message).toMatch(/no line is a Cloud Logging entry with a textPayload/);
    // Lines no format reads: the error shows one and names the flags.
    const odd = (await read("GET /index.html 200\nGET /favicon.ico 404\n").catch(
      (e: unknown) => e,
    )) as InputError;
    expect(odd.hint).toMatch(
      /--prefix .*--log-format \(stderr, syslog, csvlog, jsonlog, cloudsql, cnpg, logplex, pgbouncer/,
    );
  });

  it("reads a log written with CRLF line ends as the same log", async () => {
    const crlf = await read(PG15.replaceAll("\n", "\r\n"), {}, 1000);
    const lf = await read(PG15);
    expect(crlf.records).toEqual(lf.records);
  });

  it("reads gzip input", async () => {
    const { openLog } = await import("./read-logs.js");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const dir = mkdtempSync(`${(await import("node:os")).tmpdir()}/dbopt-gz-`);
    writeFileSync(`${dir}/pg.log.gz`, gzipSync(PG15));
    const records: LogRecord[] = [];
    await readLog("pg.log.gz", await openLog(`${dir}/pg.log.gz`), (r) => records.push(r));
    expect(records.length).toBe((await read(PG15)).records.length);
  });
});
