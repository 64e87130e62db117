import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedServer } from "../../src/connectors/embedded/embedded-server.js";
import { FIXTURES, planFixture } from "../support/fixtures.js";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

const plans = join(FIXTURES, "plans");
const scratch = mkdtempSync(join(tmpdir(), "dbopt-cli-test-"));

/** One line on stderr, no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dbopt: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("dbopt explain on plan files", () => {
  it("prints the plan summary, tree and findings as JSON", async () => {
    const r = await runCli(["explain", join(plans, "pg18/sort-spill-offset.txt"), "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toMatchObject({ nodes: 3, analyzed: true });
    expect(out.summary.executionTimeMs).toBeGreaterThan(0);
    expect(out.summary.planningTimeMs).toBeGreaterThan(0);
    expect(out.plan.children[0].nodeType).toBe("Sort");
    expect(out.plan.metrics.exclusiveMs).toBeGreaterThanOrEqual(0);
    const rules = out.findings.map((f: { ruleId: string }) => f.ruleId);
    expect(rules).toEqual(expect.arrayContaining(["plan/sort-spill", "plan/large-offset"]));
    for (const f of out.findings)
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining(["ruleId", "severity", "title", "detail", "evidence", "fix"]),
      );
  });

  it("reads a JSON plan from standard input and counts InitPlans and SubPlans as nodes", async () => {
    const r = await runCli(["explain", "--format", "json"], { input: planFixture("pg15", "initplan.json") });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.nodes).toBe(4);
  });

  it("reports null timings for a plan that was not run", async () => {
    const r = await runCli([
      "explain",
      "--plan",
      join(plans, "pg15/estimate-only.psql.txt"),
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({
      executionTimeMs: null,
      planningTimeMs: null,
      analyzed: false,
    });
  });

  it("draws the plan tree and findings on a terminal", async () => {
    const r = await runCli(["explain", join(plans, "pg18/hash-join-batches.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Plan from .*hash-join-batches\.txt/);
    expect(r.stdout).toMatch(/└─ .*Hash #\d/);
    expect(r.stdout).toMatch(/WARN|ERROR/);
    expect(r.stdout).toContain("fix: SET work_mem");
  });

  it("writes Markdown for pull requests", async () => {
    const r = await runCli(["explain", join(plans, "pg18/seq-scan-filter.txt"), "--format", "markdown"]);
    expect(r.stdout).toMatch(/^## dbopt: plan from/);
    expect(r.stdout).toContain("```sql\nCREATE INDEX CONCURRENTLY ON orders (status);\n```");
  });

  it("exits 1 with --fail-on when findings reach that severity", async () => {
    const r = await runCli([
      "explain",
      join(plans, "pg18/seq-scan-filter.txt"),
      "--format",
      "json",
      "--fail-on",
      "warning",
    ]);
    expect(r.code).toBe(1);
  });
});

describe("bad input", () => {
  it("a truncated plan", async () => {
    const file = join(scratch, "truncated.txt");
    writeFileSync(file, planFixture("pg18", "hash-join-batches.txt").slice(0, 900));
    const r = await runCli(["explain", file]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /cannot read this plan node, the plan may be truncated/);
  });

  it("truncated JSON", async () => {
    const r = await runCli(["explain"], { input: planFixture("pg18", "initplan.json").slice(0, 300) });
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /does not parse; it may be truncated/);
  });

  it("a file that is not a plan", async () => {
    const r = await runCli(["explain", join(process.cwd(), "package.json")]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /no "Plan" object/);
  });

  it("SQL where a plan was expected", async () => {
    const r = await runCli(["explain"], { input: "select * from orders where id = 1" });
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /the input is SQL, not a plan\. Pass it with --sql/);
  });

  it("empty standard input", async () => {
    const r = await runCli(["explain"], { input: "" });
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /standard input is empty/);
  });

  it("a missing file", async () => {
    const r = await runCli(["explain", join(scratch, "nope.txt")]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /the plan file ".*nope\.txt" does not exist/);
  });

  it("an unknown flag", async () => {
    const r = await runCli(["explain", "--frobnicate"]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /unknown option '--frobnicate'/);
  });

  it("no database for a command that needs one", async () => {
    const r = await runCli(["analyze"]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /no database given\. Pass --db/);
  });

  it("an unreachable host, with the password kept secret", async () => {
    const r = await runCli(["analyze", "--db", "postgresql://app:hunter2secret@127.0.0.1:1/shop"]);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /cannot connect to app@127\.0\.0\.1:1\/shop: connection refused/);
    expect(r.stderr + r.stdout).not.toContain("hunter2secret");
  });

  it("a wrong password", async () => {
    const guarded = await startEmbeddedServer({ password: "the-right-one" });
    try {
      const r = await runCli([
        "analyze",
        "--db",
        `postgresql://postgres:not-the-right-one@127.0.0.1:${guarded.port}/postgres`,
      ]);
      expect(r.code).toBe(3);
      expectOneLineError(r.stderr, /authentication failed/);
      expect(r.stderr).not.toContain("not-the-right-one");
    } finally {
      await guarded.stop();
    }
  });

  it("a report to a path that cannot be written: checked before the work, or named when the write fails", async () => {
    const plan = join(plans, "pg18/seq-scan-filter.txt");
    const folder = await runCli(["explain", plan, "-o", scratch]);
    expect(folder.code).toBe(2);
    expectOneLineError(folder.stderr, /--output ".*" cannot be written: it is a folder; name a file in it/);
    const noParent = await runCli(["explain", plan, "-o", join(scratch, "missing/r.txt")]);
    expect(noParent.code).toBe(2);
    expectOneLineError(noParent.stderr, /the folder .*missing does not exist/);
    // /dev/full takes the open and fails the write (ENOSPC): the error at write time is one line too.
    const full = await runCli(["explain", plan, "-o", "/dev/full"]);
    expect(full.code).toBe(2);
    expectOneLineError(full.stderr, /cannot write the report to \/dev\/full: no space left on the device/);
    expect(full.stdout).toBe("");
  });

  it("a corrupt or truncated gzip log", async () => {
    const whole = gzipSync(
      Buffer.from(`${"2026-11-26 14:00:00.000 UTC [1] LOG:  checkpoint starting: time\n".repeat(2000)}`),
    );
    const truncated = join(scratch, "truncated.log.gz");
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const corrupt = join(scratch, "corrupt.log.gz");
    writeFileSync(corrupt, Buffer.concat([whole.subarray(0, 10), Buffer.alloc(200, 0x41)]));
    for (const file of [truncated, corrupt]) {
      const r = await runCli(["logs", file]);
      expect(r.code, r.stderr).toBe(2);
      expectOneLineError(r.stderr, /corrupt|truncated|unexpected end/i);
      expect(r.stderr).not.toMatch(/bug in dbopt/);
    }
  });

  it("migrate trace --sandbox with a wrong password: exit 3, one line, the password not shown", async () => {
    const guarded = await startEmbeddedServer({ password: "the-right-one" });
    try {
      const migration = join(scratch, "0001_add.sql");
      writeFileSync(migration, "create table t (id int);\n");
      const r = await runCli([
        "migrate",
        "trace",
        migration,
        "--db",
        `postgresql://postgres:not-the-right-one@127.0.0.1:${guarded.port}/postgres`,
        "--sandbox",
      ]);
      expect(r.code).toBe(3);
      expectOneLineError(r.stderr, /authentication failed/);
      expect(r.stderr).not.toContain("not-the-right-one");
    } finally {
      await guarded.stop();
    }
  });

  it("shows the stack trace with --debug", async () => {
    const r = await runCli(["analyze", "--db", "postgresql://app@127.0.0.1:1/shop", "--debug"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe.each(availableServers())("dbopt against $name", (server) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(
      server,
      `create table items (id int primary key, sku text not null, stock int not null);
       insert into items select g, 'sku-' || g, g % 50 from generate_series(1, 200000) g; analyze;`,
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("explains SQL with --analyze and rolls back what it changed", async () => {
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "update items set stock = 0 where sku = 'sku-42'",
      "--analyze",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.source).toMatch(/EXPLAIN ANALYZE, rolled back/);
    // 200,000 rows: the scan takes long enough that a busy test machine pausing the process does not make the
    // UPDATE node look like the time sink.
    expect(
      out.findings.map((f: { fix?: { sql?: string } }) => f.fix?.sql),
      JSON.stringify(out.findings),
    ).toContain("CREATE INDEX CONCURRENTLY ON items (sku);");
    const { rows } = await runAsAdmin(database.url, "select stock from items where id = 42");
    expect(rows[0].stock).toBe(42);
  });

  it("takes the statement from a .sql file and the target from DATABASE_URL", async () => {
    const file = join(scratch, `${server.name}.sql`);
    writeFileSync(file, "select count(*) from items where stock = 7;\n");
    const r = await runCli(["explain", file, "--format", "json"], { env: { DATABASE_URL: database.url } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.analyzed).toBe(false);
  });

  it("rejects broken SQL with the parser's message", async () => {
    const r = await runCli(["explain", "--db", database.url, "--sql", "selec * from items"]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /the SQL does not parse/);
  });

  it("says how to enable pg_stat_statements when analyze needs it", async () => {
    const r = await runCli(["analyze", "--db", database.url]);
    expect(r.code).toBe(2);
    expectOneLineError(
      r.stderr,
      /pg_stat_statements is not installed in this database\. Run CREATE EXTENSION pg_stat_statements/,
    );
  });

  it("names a database that does not exist", async () => {
    const r = await runCli(["analyze", "--db", database.url.replace(/\/[^/]+$/, "/missing_db_xyz")]);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /does not exist/);
  });

  it("compares its settings with the recommendations", async () => {
    const r = await runCli(["tune", "--db", database.url, "--ram", "16GB", "--format", "json"]);
    expect(r.code).toBe(0);
    const shared = JSON.parse(r.stdout).recommendations.find(
      (x: { name: string }) => x.name === "shared_buffers",
    );
    expect(shared).toMatchObject({ current: "128MB", restart: true });
  });

  it("names the snapshot file it could not write, in one line", async () => {
    const r = await runCli(["snapshot", "--db", database.url, "--out", "/dev/full"]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /cannot write the snapshot to \/dev\/full: no space left on the device/);
  });

  it("writes a snapshot that explain uses offline", async () => {
    const file = join(scratch, `${server.name}-snap.json`);
    const snap = await runCli(["snapshot", "--db", database.url, "--out", file]);
    expect(snap.code).toBe(0);
    expect(snap.stderr).toMatch(/wrote .*: 1 tables, 1 indexes/);
    const plan = "Seq Scan on items  (cost=0.00..1000.00 rows=1000 width=16)\n  Filter: (stock = 7)";
    const r = await runCli(["explain", "--snapshot", file, "--format", "json"], { input: plan });
    expect(r.code).toBe(0);
    const finding = JSON.parse(r.stdout).findings.find(
      (f: { ruleId: string }) => f.ruleId === "plan/seq-scan-filter",
    );
    expect(finding.evidence).toMatchObject({ estimated: true, rowsRead: 200000 });
  });
});

describe("dbopt tune", () => {
  it("prints PGTune's baseline with ALTER SYSTEM lines when no database is given", async () => {
    const r = await runCli([
      "tune",
      "--ram",
      "8GB",
      "--cpus",
      "4",
      "--storage",
      "san",
      "--connections",
      "100",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "ALTER SYSTEM SET shared_buffers = '2GB';  -- needs a restart; 25% of RAM (PGTune)",
    );
    expect(r.stdout).toContain("ALTER SYSTEM SET work_mem = '6MB';");
  });

  it("needs the machine's RAM", async () => {
    const r = await runCli(["tune"]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /--ram is required\. SQL cannot read the machine's memory/);
  });
});
