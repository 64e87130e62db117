/**
 * advise --apply on a real server when the build cannot finish: another session's open transaction makes
 * CREATE INDEX CONCURRENTLY wait (it has already committed an INVALID index by then) until lock_timeout, or
 * until a SIGINT to the dbopt process. dbopt drops what it started, says what it built and what not, and a
 * second run neither trips over the leftover nor builds a duplicate.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

interface Apply {
  apply: {
    complete: boolean;
    interrupted: string | null;
    outcomes: Array<{ name: string; status: string; detail: string | null; cleanup: string | null }>;
  };
  recommendations: Array<{ ddl: string }>;
}

const indexesOn = async (url: string) =>
  (
    await runAsAdmin(
      url,
      `select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = 'events'::regclass and not i.indisprimary order by 1`,
    )
  ).rows as Array<{ name: string; valid: boolean }>;

describe.each(server("pg15"))("advise --apply cleanup on $name", (srv) => {
  let db: TestDatabase;
  let holder: pg.Client | null = null;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-apply-"));
  const workload = join(dir, "workload.sql");

  beforeAll(async () => {
    db = await createTestDatabase(
      srv,
      `create extension hypopg;
       create table events (id int primary key, account_id int not null, kind text not null, payload text);
       insert into events select g, g % 5000, 'k' || (g % 7), repeat('x', 50) from generate_series(1, 200000) g;`,
    );
    await runAsAdmin(db.url, "vacuum analyze events");
    writeFileSync(workload, "select * from events where account_id = 42;\n");
  }, 120_000);

  afterEach(async () => {
    await releaseHolder();
    // Each test starts from no secondary index.
    for (const i of await indexesOn(db.url)) await runAsAdmin(db.url, `drop index if exists "${i.name}"`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** A writer's open transaction: CREATE (and DROP) INDEX CONCURRENTLY must wait for it to end. */
  async function holdWriter(): Promise<void> {
    holder = new pg.Client({ connectionString: db.url, application_name: "app" });
    await holder.connect();
    await holder.query("begin");
    await holder.query("insert into events values (0, 0, 'k0', 'held')");
  }

  async function releaseHolder(): Promise<void> {
    await holder?.query("rollback").catch(() => {});
    await holder?.end().catch(() => {});
    holder = null;
  }

  async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const apply = (lockTimeout: string) =>
    runCli([
      "advise",
      "--db",
      db.url,
      "--workload",
      workload,
      "--apply",
      "--format",
      "json",
      "--lock-timeout",
      lockTimeout,
    ]);

  it("a build that times out on a lock leaves no invalid index, and the report says so", {
    timeout: 90_000,
  }, async () => {
    await holdWriter();
    const run = apply("1s");
    // The build times out after 1 s; the cleanup then waits for the same transaction: let it go once it does.
    await waitFor(
      "dbopt's cleanup waiting on the writer",
      async () =>
        (
          await runAsAdmin(
            db.url,
            "select 1 from pg_stat_activity where application_name = 'dbopt' and query like 'DROP INDEX CONCURRENTLY%' and wait_event_type = 'Lock'",
          )
        ).rowCount === 1,
    );
    await releaseHolder();
    const r = await run;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as Apply;
    expect(report.recommendations.map((x) => x.ddl)).toEqual([
      "CREATE INDEX CONCURRENTLY ON events (account_id);",
    ]);
    const [outcome] = report.apply.outcomes;
    expect(outcome?.name).toMatch(/^dbopt_events_account_id_[0-9a-f]{8}$/);
    expect(outcome?.status).toBe("failed");
    expect(outcome?.detail).toMatch(
      /waited for a lock past dbopt's lock_timeout.* \(it waits for the transactions holding locks on the table: pid \d+ postgres, idle in transaction, open \d+ s holding RowExclusiveLock: insert into events .*the invalid index it left was dropped/,
    );
    expect(outcome?.cleanup).toBeNull();
    expect(report.apply.complete).toBe(false);
    expect(await indexesOn(db.url)).toEqual([]);
  });

  it("says what it could not drop; the next run drops that leftover first, builds once, and a third run builds nothing", {
    timeout: 120_000,
  }, async () => {
    await holdWriter();
    const first = await apply("1s");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(2);
    const failed = (JSON.parse(first.stdout) as Apply).apply.outcomes[0];
    const name = failed?.name ?? "";
    expect(failed?.status).toBe("failed");
    expect(failed?.detail).toMatch(/the invalid index it left could not be dropped/);
    expect(failed?.cleanup).toBe(`DROP INDEX CONCURRENTLY IF EXISTS public.${name};`);
    expect(await indexesOn(db.url)).toEqual([{ name, valid: false }]);
    await releaseHolder();

    const second = await apply("5s");
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const built = (JSON.parse(second.stdout) as Apply).apply.outcomes[0];
    expect(built).toMatchObject({ name, status: "built", cleanup: null });
    expect(built?.detail).toBe(`dropped the invalid ${name} an earlier run left`);
    expect(await indexesOn(db.url)).toEqual([{ name, valid: true }]);

    // With the index there, the advisor has nothing to add; no duplicate either way.
    const third = await apply("5s");
    expect(third.code).toBe(0);
    expect(await indexesOn(db.url)).toEqual([{ name, valid: true }]);
  });

  it("SIGINT during the build cancels it, drops the invalid index, and exits non-zero with one line", {
    timeout: 90_000,
  }, async () => {
    await holdWriter();
    const child = spawn(
      process.execPath,
      [BIN, "advise", "--db", db.url, "--workload", workload, "--apply", "--lock-timeout", "60s"],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Wait until the build has committed its INVALID index and waits for the writer's transaction.
    await waitFor(`the build waiting (${stderr})`, async () =>
      (await indexesOn(db.url)).some((i) => i.name.startsWith("dbopt_") && !i.valid),
    );
    child.kill("SIGINT");
    setTimeout(() => void releaseHolder(), 500);
    const code = await exit;
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^dbopt: error: advise --apply was interrupted \(SIGINT\): built nothing; not built dbopt_events_account_id_[0-9a-f]{8}; no invalid index left behind\. Run dbopt advise --apply again/,
    );
    expect(await indexesOn(db.url)).toEqual([]);
  });

  it("SIGINT while the advisor is still planning stops it at once: nothing built, one line, exit 2", {
    timeout: 60_000,
  }, async () => {
    // An IMMUTABLE function is folded while planning: EXPLAIN of a statement calling it sleeps.
    await runAsAdmin(
      db.url,
      "create or replace function slow_constant() returns int immutable language plpgsql as 'begin perform pg_sleep(30); return 42; end'",
    );
    const slow = join(dir, "slow.sql");
    writeFileSync(slow, "select * from events where account_id = slow_constant();\n");
    const child = spawn(process.execPath, [BIN, "advise", "--db", db.url, "--workload", slow, "--apply"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(
      "dbopt planning the slow statement",
      async () =>
        (
          await runAsAdmin(
            db.url,
            "select 1 from pg_stat_activity where application_name = 'dbopt' and wait_event = 'PgSleep'",
          )
        ).rowCount === 1,
    );
    const started = Date.now();
    child.kill("SIGINT");
    expect(await exit).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr.trim().split("\n")).toEqual([
      "dbopt: error: interrupted (SIGINT) before any index was built: nothing was changed. Run dbopt advise again when you have the time.",
    ]);
    expect(await indexesOn(db.url)).toEqual([]);
    // dbopt's session is gone, not left sleeping on the server for the rest of its 30 s.
    await waitFor(
      "dbopt's session to end",
      async () =>
        (await runAsAdmin(db.url, "select 1 from pg_stat_activity where application_name = 'dbopt'"))
          .rowCount === 0,
    );
  });
});
