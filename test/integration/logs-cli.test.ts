import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const FIXTURES = new URL("../fixtures/logs/", import.meta.url).pathname;
const PG18 = join(FIXTURES, "pg18-stderr.log");

interface LogsJson {
  statements: Array<{
    fingerprint: string;
    query: string;
    calls: number;
    totalMs: number;
    meanMs: number;
    p95Ms: number;
  }>;
  nPlusOne: Array<{
    source: { query: string };
    repeated: { query: string };
    occurrences: number;
    rewrite: string;
  }>;
  events: { deadlocks: number };
}

describe("dbopt logs", () => {
  it("prints statements and N+1 loops as JSON", async () => {
    const r = await runCli(["logs", PG18, "--format", "json", "--top", "3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as LogsJson;
    expect(out.statements).toHaveLength(3);
    for (const s of out.statements) {
      expect(s.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(s.calls).toBeGreaterThan(0);
      expect(s.meanMs).toBeCloseTo(s.totalMs / s.calls, 2);
      expect(typeof s.p95Ms).toBe("number");
    }
    expect(out.statements.map((s) => s.totalMs)).toEqual(
      [...out.statements.map((s) => s.totalMs)].sort((a, b) => b - a),
    );
    expect(out.nPlusOne[0]).toMatchObject({
      repeated: { query: "select id, total from orders where customer_id = $1" },
      occurrences: 2,
    });
    expect(out.events.deadlocks).toBe(1);
  });

  it("reads gzip files and standard input, plain or gzip, the same as the plain file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-logs-"));
    writeFileSync(join(dir, "pg.log.gz"), gzipSync(readFileSync(PG18)));
    const plain = JSON.parse((await runCli(["logs", PG18, "--format", "json"])).stdout) as LogsJson;
    const gz = JSON.parse(
      (await runCli(["logs", join(dir, "pg.log.gz"), "--format", "json"])).stdout,
    ) as LogsJson;
    const stdin = JSON.parse(
      (await runCli(["logs", "-", "--format", "json"], { input: readFileSync(PG18, "utf8") })).stdout,
    ) as LogsJson;
    const gzStdin = JSON.parse(
      (await runCli(["logs", "-", "--format", "json"], { input: gzipSync(readFileSync(PG18)) })).stdout,
    ) as LogsJson;
    expect(gz.statements).toEqual(plain.statements);
    expect(stdin.statements).toEqual(plain.statements);
    expect(gzStdin.statements).toEqual(plain.statements);
  });

  it("shows the heaviest statements and the N+1 loop with its rewrite on a terminal", async () => {
    const r = await runCli(["logs", join(FIXTURES, "pg15-jsonlog.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/N\+1/);
    expect(r.stdout).toContain("customer_id = ANY ($1)");
    expect(r.stdout).toContain("deadlock");
  });

  it("fails with one line that shows an unmatched line when the prefix is wrong", async () => {
    const r = await runCli(["logs", PG18, "--prefix", "%m [%p] "]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no line matches log_line_prefix '%m \[%p\] '; a line reads: 2026-.*--prefix/);
  });

  it("skips lines that are not log messages, says how many, and reads the rest alike on one thread or three", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-garbage-"));
    const path = join(dir, "pg.log");
    const log = readFileSync(PG18, "utf8");
    const garbage = Array.from({ length: 300 }, (_, i) => `corrupted block ${i} ${"x".repeat(80)}`).join(
      "\n",
    );
    writeFileSync(path, `${log}${garbage}\n${log}`);
    const run = async (jobs: string) => {
      const r = await runCli(["logs", path, "--format", "json", "--jobs", jobs, "--split-from", "1kB"]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as LogsJson & { files: Array<{ skipped: number; firstSkipped: string }> };
    };
    const one = await run("1");
    expect(one.files[0]).toMatchObject({
      skipped: 300,
      firstSkipped: expect.stringMatching(/^corrupted block 0 x+/),
    });
    expect(await run("3")).toMatchObject({
      statements: one.statements,
      nPlusOne: one.nPlusOne,
      files: one.files,
    });
    const text = await runCli(["logs", path]);
    expect(text.stdout).toMatch(/300 lines of .*pg\.log did not read as log messages and were skipped/);
  });

  it("takes a time window, and says so in one line when a time does not read", async () => {
    const r = await runCli([
      "logs",
      PG18,
      "--since",
      "2026-11-26",
      "--until",
      "2100-01-01T00:00",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { statementCount: number }).statementCount).toBeGreaterThan(0);
    const bad = await runCli(["logs", PG18, "--since", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a time like 2026-11-26T14:00 .*, got "yesterday"/);
  });

  it("fails with one line on input that is not a server log, and on a missing file", async () => {
    const garbage = await runCli(["logs", "-"], { input: "hello\nworld\n" });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(
      /^dbopt: error: standard input: no known log_line_prefix matches its lines/,
    );
    const missing = await runCli(["logs", "/nonexistent/pg.log"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    "pg18-stderr.log",
    "pg15-syslog-rfc3339.log",
    "pg18-csvlog.csv",
    "pg15-jsonlog.json",
    "mariadb-slow.log",
    "pg15-cloudsql.json",
  ])("reads %s in byte ranges on several threads exactly as on one", async (file) => {
    // Three copies: runs of the N+1 loop and multi-line messages fall on the cuts between ranges.
    const dir = mkdtempSync(join(tmpdir(), "dbopt-split-"));
    const path = join(dir, file);
    const text = readFileSync(join(FIXTURES, file), "utf8");
    writeFileSync(path, text.repeat(3));
    const run = async (jobs: string) => {
      const r = await runCli(["logs", path, "--format", "json", "--jobs", jobs, "--split-from", "1kB"]);
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as LogsJson & { threads: number; statementCount: number; files: unknown };
    };
    const one = await run("1");
    const three = await run("3");
    expect(one.threads).toBe(1);
    expect(three.threads).toBe(3);
    expect(three.statementCount).toBe(one.statementCount);
    expect(three.statements).toEqual(one.statements);
    expect(three.nPlusOne).toEqual(one.nPlusOne);
    expect(three.events).toEqual(one.events);
    expect(three.files).toEqual(one.files);
  });
  it("hands out more byte ranges than threads to whichever thread is free, with the same result as one thread", async () => {
    // 18 MB: three ranges of at least 8 MB for two threads, so one of them reads two.
    const dir = mkdtempSync(join(tmpdir(), "dbopt-ranges-"));
    const path = join(dir, "pg18-stderr.log");
    writeFileSync(path, readFileSync(PG18, "utf8").repeat(320));
    const run = async (jobs: string) => {
      const r = await runCli(["logs", path, "--format", "json", "--jobs", jobs, "--split-from", "1kB"]);
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as LogsJson & { threads: number; statementCount: number; files: unknown };
    };
    const one = await run("1");
    const two = await run("2");
    expect(two.threads).toBe(2);
    expect(two.statementCount).toBe(one.statementCount);
    expect(two.statements).toEqual(one.statements);
    expect(two.nPlusOne).toEqual(one.nPlusOne);
    expect(two.events).toEqual(one.events);
    expect(two.files).toEqual(one.files);
  });
  it("reads bzip2, xz and zstd logs; a cut-short one is one line and exit 2, not a bug", async () => {
    for (const ext of ["bz2", "xz", "zst"]) {
      const r = await runCli([
        "logs",
        join(FIXTURES, `compressed/pg15-prefix-db-user.log.${ext}`),
        "--format",
        "json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { statementCount: number }).statementCount).toBe(19);
    }
    for (const ext of ["gz", "bz2"]) {
      const cut = await runCli(["logs", join(FIXTURES, `compressed/cut-short.log.${ext}`)]);
      expect(cut.code).toBe(2);
      expect(cut.stdout).toBe("");
      expect(cut.stderr.trim().split("\n")).toHaveLength(1);
      expect(cut.stderr).toMatch(/cut-short\.log\.(gz|bz2): the (gzip|bzip2) data is corrupt or cut short/);
      expect(cut.stderr).not.toMatch(/bug in dbopt/);
    }
    // Compressed standard input too.
    const stdin = await runCli(["logs", "-", "--format", "json"], {
      input: readFileSync(join(FIXTURES, "compressed/pg15-prefix-db-user.log.xz")),
    });
    expect((JSON.parse(stdin.stdout) as { statementCount: number }).statementCount).toBe(19);
  });

  it("never prints a binary file's bytes", async () => {
    const r = await runCli(["logs", process.execPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a text log: it holds binary data/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be printed.
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\ufffd]/);
  });

  it("reads a Cloud console export on standard input and a PgBouncer log, and says what PgBouncer saw", async () => {
    const cloud = await runCli(["logs", "-", "--format", "json"], {
      input: readFileSync(join(FIXTURES, "pg15-cloudsql-console.json")),
    });
    expect(cloud.code).toBe(0);
    expect(JSON.parse(cloud.stdout)).toMatchObject({ files: [{ format: "cloudsql" }], statementCount: 19 });
    const bouncer = await runCli(["logs", join(FIXTURES, "pgbouncer-1.18.log")]);
    expect(bouncer.code).toBe(0);
    expect(bouncer.stdout).toContain("PgBouncer 1.18.0 (max_client_conn 12)");
    expect(bouncer.stdout).toMatch(
      /2× no more connections allowed \(max_client_conn\) from 127\.0\.0\.1 — raise max_client_conn/,
    );
    expect(bouncer.stdout).not.toContain("No statement durations");
  });
});
