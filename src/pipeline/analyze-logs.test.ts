import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { analyzeLogs } from "./analyze-logs.js";

const FIXTURES = new URL("../../test/fixtures/logs/", import.meta.url).pathname;
const LOGS = [
  ["pg15-stderr.log", "stderr"],
  ["pg15-custom-prefix.log", "stderr"],
  ["pg15-syslog.log", "syslog"],
  ["pg15-syslog-rfc3339.log", "syslog"],
  ["pg15-csvlog.csv", "csvlog"],
  ["pg15-jsonlog.json", "jsonlog"],
  ["pg18-stderr.log", "stderr"],
  ["pg18-syslog.log", "syslog"],
  ["pg18-syslog-rfc3339.log", "syslog"],
  ["pg18-csvlog.csv", "csvlog"],
  ["pg18-jsonlog.json", "jsonlog"],
] as const;

/** The logs whose servers also logged autovacuum, for which the workload deleted rows (SETTINGS.md). */
const VACUUMED = [
  "pg15-csvlog.csv",
  "pg15-jsonlog.json",
  "pg18-stderr.log",
  "pg18-csvlog.csv",
  "pg18-jsonlog.json",
];

describe("analyzeLogs on logs captured from PostgreSQL 15 and 18", () => {
  it.each(LOGS)("%s reads the same workload as every other format", async (file, format) => {
    const r = await analyzeLogs([FIXTURES + file]);
    expect(r.files[0]?.format).toBe(format);
    // The runs on servers with autovacuum logging also deleted rows: one statement more.
    const vacuumed = VACUUMED.includes(file);
    expect(r.statementCount).toBe(vacuumed ? 65 : 64);
    expect(r.statements).toHaveLength(vacuumed ? 18 : 17);
    expect(r.period.first).toBeGreaterThan(Date.UTC(2026, 0, 1));
    const loop = r.statements.find((s) => s.query === "select id, total from orders where customer_id = $1");
    // 40 in the loop, and the batched `= any($1)`: libpg-query's fingerprint does not tell them apart.
    expect(loop?.calls).toBe(41);
    expect(loop?.example.parameters).toMatch(/^\$1 = '/);
    // Literals differ (offset 0/20, total > 500/900) but each pair is one statement.
    expect(
      r.statements.find((s) => s.query.startsWith("select count(*) from orders where total >"))?.calls,
    ).toBe(2);
    expect(
      r.statements.find((s) => s.query.startsWith("select id from customers order by id limit"))?.calls,
    ).toBe(3);

    expect(r.nPlusOne).toHaveLength(1);
    const p = r.nPlusOne[0];
    expect(p?.source.query).toBe("select id from customers order by id limit $1 offset $2");
    expect(p?.occurrences).toBe(2);
    expect(p?.repeats).toEqual({ min: 20, median: 20, max: 20 });
    expect(p?.rewrite).toBe("SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)");
    expect(p?.exampleParameters[0]).toBe("$1 = '1'");

    const missing = r.events.errors.find((e) => e.message === 'relation "…" does not exist');
    // Text logs have a SQLSTATE only when the prefix has %e.
    if (format !== "stderr" && format !== "syslog") expect(missing?.sqlstate).toBe("42P01");
    expect(missing?.example).toBe("select * from missing_table");
    const deadlock = r.events.errors.find((e) => e.message === "deadlock detected");
    if (format !== "stderr" && format !== "syslog") expect(deadlock?.sqlstate).toBe("40P01");
    expect(deadlock?.example).toMatch(/^update customers set name = '[bc]' where id = [12]$/);
    expect(r.events.errors).toHaveLength(2);
    expect(r.events.deadlocks).toBe(1);
    expect(r.events.lockWaits.byMode.AccessShareLock).toBe(1);
    expect(r.events.checkpoints.byReason.requested).toBeGreaterThanOrEqual(1);
    expect(r.events.checkpoints.count).toBeGreaterThanOrEqual(1);
    expect(r.plans).toBe(1);
    if (vacuumed) expect(r.events.autovacuum.vacuums + r.events.autovacuum.analyzes).toBeGreaterThan(0);
    expect(r.events.tempFiles.count).toBe(1);
    expect(r.events.tempFiles.totalBytes).toBeGreaterThan(100_000);
    expect(r.events.tempFiles.example).toBe("select * from orders order by total desc, id");
  });

  it("names who ran each statement when the log has it", async () => {
    const r = await analyzeLogs([`${FIXTURES}pg18-stderr.log`]);
    const loop = r.statements.find((s) => s.query.includes("customer_id = $1"));
    expect(loop?.users).toEqual(["postgres"]);
    expect(loop?.applications).toEqual(["shop-api"]);
    expect(loop?.databases[0]).toMatch(/^dbopt_logcap_/);
    expect(loop?.p95Ms).toBeGreaterThan(0);
    expect(loop?.p95Ms).toBeLessThanOrEqual((loop?.maxMs ?? 0) * 1.02);
  });

  it("adds several files into one report", async () => {
    const r = await analyzeLogs([`${FIXTURES}pg15-stderr.log`, `${FIXTURES}pg18-jsonlog.json`]);
    expect(r.files.map((f) => f.format)).toEqual(["stderr", "jsonlog"]);
    expect(r.statementCount).toBe(129);
    expect(r.nPlusOne[0]?.occurrences).toBe(4);
  });

  it("reads a MariaDB slow query log: rows examined, the N+1 loop with a MySQL rewrite", async () => {
    const r = await analyzeLogs([`${FIXTURES}mariadb-slow.log`]);
    expect(r.files[0]?.format).toBe("mysql-slow");
    expect(r.statementCount).toBe(32);
    const loop = r.statements.find((s) => s.query === "select id, total from orders where customer_id = ?");
    expect(loop).toMatchObject({ calls: 20, rowsSent: 2000, rowsExamined: 2000, fullScans: 0 });
    expect(r.statements.find((s) => s.query.includes("in (? /*, ... */)"))?.calls).toBe(1);
    expect(r.nPlusOne).toHaveLength(1);
    expect(r.nPlusOne[0]).toMatchObject({
      source: { query: "select id from customers order by id limit ? offset ?" },
      occurrences: 2,
      repeats: { min: 10, median: 10, max: 10 },
      rewrite: "SELECT customer_id, id, total FROM orders WHERE customer_id IN (?)",
    });
  });

  it("reads only a time window, a database or a user when asked, keeping the server's own messages", async () => {
    const log = `${FIXTURES}pg18-stderr.log`;
    const all = await analyzeLogs([log]);
    const database = all.statements.find((x) => x.databases.length)?.databases[0] ?? null;
    const other = await analyzeLogs([log], {
      filter: { since: null, until: null, database: "another_db", user: null, application: null },
    });
    expect(other.statementCount).toBe(0);
    expect(other.events.checkpoints.count).toBe(all.events.checkpoints.count);
    const same = await analyzeLogs([log], {
      filter: { since: null, until: null, database, user: "postgres", application: null },
    });
    expect(same.statementCount).toBe(all.statementCount);
    const tail = await analyzeLogs([log], {
      filter: { since: all.period.last, until: null, database: null, user: null, application: null },
    });
    expect(tail.statementCount).toBeLessThan(all.statementCount);
    expect(tail.period.first).toBeGreaterThanOrEqual(all.period.last ?? 0);
  });

  it("reads a folder of logs as its files in name order", async () => {
    const { mkdtempSync, copyFileSync } = await import("node:fs");
    const dir = mkdtempSync(`${(await import("node:os")).tmpdir()}/dbopt-logdir-`);
    copyFileSync(`${FIXTURES}pg15-stderr.log`, `${dir}/postgresql-1.log`);
    copyFileSync(`${FIXTURES}pg15-stderr.log`, `${dir}/postgresql-2.log`);
    const r = await analyzeLogs([dir]);
    expect(r.files.map((f) => f.name)).toEqual([`${dir}/postgresql-1.log`, `${dir}/postgresql-2.log`]);
    expect(r.statementCount).toBe(128);
  });
});

/** One workload (capture-prefixes.ts) in the layouts hosted services and common prefixes give (SOURCES.md). */
const HOSTED = [
  ["pg15-prefix-db-user.log", "stderr", "%t [%p]: db=%d,user=%u "],
  ["pg15-prefix-rds.log", "stderr", "%t:%r:%u@%d:[%p]:"],
  ["pg15-syslog-db-user.log", "syslog", "db=%d,user=%u,app=%a,client=%h "],
  ["pg15-cloudsql.json", "cloudsql", "%m [%p]: [%l-1] db=%d,user=%u "],
  ["pg15-cloudsql-console.json", "cloudsql", "%m [%p]: [%l-1] db=%d,user=%u "],
  ["pg15-cnpg.json", "cnpg", null],
  ["heroku-logplex.log", "logplex", "sql_error_code = %e "],
] as const;

describe("analyzeLogs on common prefixes and hosted services' layouts, without --prefix", () => {
  it.each(HOSTED)("%s reads as %s with its prefix detected", async (file, format, prefix) => {
    const r = await analyzeLogs([FIXTURES + file]);
    expect(r.files[0]).toMatchObject({ format, prefix, skipped: 0 });
    expect(r.statementCount).toBe(19);
    expect(r.statements.map((s) => s.calls).sort((a, b) => b - a)).toEqual([12, 1, 1, 1, 1, 1, 1, 1]);
    expect(
      r.statements.find((s) => s.query === "select id, total from orders where customer_id = $1")?.calls,
    ).toBe(12);
    // The multi-line statement came out whole, whichever way its continuation lines were written.
    expect(
      r.statements.some((s) =>
        /^select c\.name, sum\(o\.total\) as spent from customers c join orders o/.test(s.query),
      ),
    ).toBe(true);
    expect(r.nPlusOne).toHaveLength(1);
    expect(r.nPlusOne[0]?.repeats).toEqual({ min: 12, median: 12, max: 12 });
    expect(r.nPlusOne[0]?.rewrite).toBe(
      "SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)",
    );
    expect(r.events.errors.map((e) => [e.message, e.example])).toEqual([
      ['relation "…" does not exist', "select * from missing_table"],
    ]);
    expect(r.events.tempFiles.count).toBe(1);
  });

  it("leaves out, and counts, what is not the server's: Heroku's metrics, CloudNativePG's instance manager", async () => {
    const heroku = await analyzeLogs([`${FIXTURES}heroku-logplex.log`]);
    expect(heroku.files[0]?.ignored).toEqual([{ what: "heroku-postgres metrics samples", lines: 4 }]);
    expect(heroku.files[0]?.herokuMetrics).toEqual({
      samples: 4,
      dbSizeBytes: 26311800,
      maxActiveConnections: 3,
      maxWaitingConnections: 0,
      minIndexCacheHitRate: 0.99965,
      minTableCacheHitRate: 0.99926,
      maxLoadAvg1m: 0.135,
    });
    const cnpg = await analyzeLogs([`${FIXTURES}pg15-cnpg.json`]);
    expect(cnpg.files[0]?.ignored).toEqual([{ what: "CloudNativePG instance manager lines", lines: 2 }]);
  });

  it("reads pgBadger's real Cloud SQL, CloudNativePG and Heroku captures", async () => {
    const cloud = await analyzeLogs([`${FIXTURES}pgbadger/cloudsql.json`]);
    expect(cloud.files[0]).toMatchObject({
      format: "cloudsql",
      prefix: "%m [%p]: [%l-1] db=%d,user=%u ",
      skipped: 0,
    });
    // Cloud SQL writes autovacuum's detail lines as entries of their own; they join their message.
    expect(cloud.events.autovacuum.vacuums).toBeGreaterThan(0);
    expect(cloud.events.checkpoints.count).toBeGreaterThan(0);
    expect(Math.floor(cloud.period.first ?? 0)).toBe(Date.parse("2020-05-02T13:00:20.382Z"));
    const cnpg = await analyzeLogs([`${FIXTURES}pgbadger/cnpg.json`]);
    expect(cnpg.files[0]).toMatchObject({ format: "cnpg", skipped: 0 });
    expect(cnpg.statementCount).toBeGreaterThan(40);
    expect(cnpg.events.errors.find((e) => e.sqlstate === "42703")?.example).toBe(
      "delete from states where names = 'America';",
    );
    const heroku = await analyzeLogs([`${FIXTURES}pgbadger/logplex.log`]);
    expect(heroku.files[0]).toMatchObject({ format: "logplex", prefix: "sql_error_code = %e ", skipped: 0 });
    expect(heroku.events.deadlocks).toBe(1);
    // [921320-2] ... [921320-6]: the drain layout's continuation lines, without a tab, join the statement.
    const update = heroku.statements.find((s) => s.query.startsWith('update "checkers"'));
    expect(update?.example.sql).toMatch(/where missions\.checker_id = checkers\.id/i);
    expect(update?.maxMs).toBeCloseTo(85756.273, 3);
  });

  it("sums up PgBouncer's own log: logins, clients turned away and why, and its stats lines", async () => {
    const r = await analyzeLogs([`${FIXTURES}pgbouncer-1.18.log`]);
    expect(r.files[0]).toMatchObject({ format: "pgbouncer", skipped: 0 });
    expect(r.statementCount).toBe(0);
    const b = r.pgbouncer;
    expect(b).toMatchObject({
      version: "1.18.0",
      maxClientConn: 12,
      logins: 48,
      clients: 1,
      serverConnections: 3,
    });
    expect(b?.loginsBy.slice(0, 2)).toEqual([
      { database: "postgres", user: "shop", count: 34 },
      { database: "postgres", user: "report", count: 13 },
    ]);
    expect(b?.errors.find((e) => e.message === "password authentication failed")).toMatchObject({
      clients: ["postgres/shop"],
      addresses: ["127.0.0.1"],
    });
    expect(b?.errors.map((e) => [e.message, e.count])).toEqual([
      ["no more connections allowed (max_client_conn)", 2],
      ["password authentication failed", 1],
      ["no such database: nosuchdb", 1],
      ["query_wait_timeout", 1],
    ]);
    expect(b?.stats?.intervals).toBeGreaterThan(5);
    expect(b?.stats?.waitUs.max).toBeGreaterThan(1_000_000);
    // The same PgBouncer through syslog: no time, pid or level of its own; pooler errors are warnings again.
    for (const file of ["pgbouncer-1.18-syslog.log", "pgbouncer-1.18-syslog-rfc3339.log"]) {
      const sys = await analyzeLogs([FIXTURES + file]);
      expect(sys.files[0]).toMatchObject({ format: "pgbouncer", skipped: 0 });
      expect(sys.pgbouncer).toMatchObject({ version: "1.18.0", logins: 6, serverConnections: 1 });
      expect(sys.pgbouncer?.errors).toMatchObject([
        { level: "WARNING", message: "password authentication failed" },
      ]);
      expect(sys.pgbouncer?.stats?.intervals).toBeGreaterThan(1);
    }
    const old = await analyzeLogs([`${FIXTURES}pgbadger/pgbouncer-1.9.log`]);
    expect(old.pgbouncer).toMatchObject({ version: "1.9.0", maxClientConn: 100 });
    expect(old.pgbouncer?.stats?.intervals).toBe(5);
    expect(old.pgbouncer?.stats?.xactsPerSecond.max).toBe(481);
    const recent = await analyzeLogs([`${FIXTURES}pgbadger/pgbouncer-1.21.log`]);
    expect(recent.pgbouncer?.stats?.queriesPerSecond.max).toBe(8248);
    expect(recent.pgbouncer?.closes.find((c) => c.side === "client")).toEqual({
      side: "client",
      reason: "client close request",
      count: 30,
    });
  });
});

describe("analyzeLogs on a log exported newest first", () => {
  it("reads a plain file last line first, as the server wrote it, and says so of a compressed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-newest-"));
    const newest = readFileSync(`${FIXTURES}pgbadger/cnpg.json`, "utf8");
    const oldest = join(dir, "oldest-first.json");
    writeFileSync(oldest, `${newest.trimEnd().split("\n").reverse().join("\n")}\n`);
    const reversed = await analyzeLogs([`${FIXTURES}pgbadger/cnpg.json`]);
    const inOrder = await analyzeLogs([oldest]);
    expect(reversed.files[0]).toMatchObject({ reversed: true, newestFirst: false });
    expect(inOrder.files[0]).toMatchObject({ reversed: false, newestFirst: false });
    expect(reversed.statements).toEqual(inOrder.statements);
    expect(reversed.events).toEqual(inOrder.events);
    expect(reversed.statementCount).toBeGreaterThan(40);
    const gz = join(dir, "newest.json.gz");
    writeFileSync(gz, gzipSync(newest));
    expect((await analyzeLogs([gz])).files[0]).toMatchObject({ reversed: false, newestFirst: true });
  });
});

describe("analyzeLogs progress", () => {
  it("counts a compressed file in its own bytes, so the bar ends at its size", async () => {
    for (const ext of ["gz", "bz2"]) {
      const path = `${FIXTURES}compressed/pg15-prefix-db-user.log.${ext}`;
      const seen: Array<[number, number]> = [];
      const r = await analyzeLogs([path], { onProgress: (done, total) => seen.push([done, total]) });
      const size = readFileSync(path).length;
      expect(seen.at(-1)).toEqual([size, size]);
      // The report still gives the size of the text read.
      expect(r.files[0]?.bytes).toBe(readFileSync(`${FIXTURES}pg15-prefix-db-user.log`).length);
    }
  });
});

describe("analyzeLogs hides secrets for every caller", () => {
  it("a library caller's report (JSON) holds no password of a logged ALTER ROLE, text or bound parameter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-secrets-"));
    const log = join(dir, "pg.log");
    writeFileSync(
      log,
      [
        "2026-12-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 500.123 ms  statement: ALTER ROLE alice PASSWORD 'S3cretAlter!'",
        "2026-12-01 10:00:01.000 UTC [100] app@shop LOG:  duration: 1.100 ms  execute <unnamed>: ALTER ROLE dave PASSWORD $1",
        "2026-12-01 10:00:01.000 UTC [100] app@shop DETAIL:  parameters: $1 = 'S3cretParam!'",
        '2026-12-01 10:00:02.000 UTC [100] app@shop ERROR:  syntax error at or near "PASSWORDX"',
        "2026-12-01 10:00:02.000 UTC [100] app@shop STATEMENT:  ALTER ROLE carol PASSWORDX 'S3cretErr!'",
        "",
      ].join("\n"),
    );
    const json = JSON.stringify(await analyzeLogs([log], { prefix: "%m [%p] %u@%d " }));
    expect(json).toContain("ALTER ROLE alice PASSWORD '***'");
    expect(json).not.toMatch(/S3cret/);
  });
});

describe("analyzeLogs reads a PostgreSQL log's nested block comments", () => {
  it("as one comment, so the statement's shape is the statement", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-comments-"));
    const log = join(dir, "pg.log");
    writeFileSync(
      log,
      "2026-12-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 5.000 ms  statement: /* a /* b */ c */ SELECT 1\n",
    );
    const r = await analyzeLogs([log], { prefix: "%m [%p] %u@%d " });
    expect(r.statements.map((s) => s.query)).toEqual(["select $1"]);
  });
});
