/**
 * `dbopt collect` as a user runs it: a collector killed (SIGKILL) in the middle of writing a sample leaves no part
 * of it and the next run continues from the last committed one; the default store is an embedded PostgreSQL 18
 * kept in $DBOPT_HOME, started for the run and stopped after it; bad options are one line and exit 2.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table events (id int primary key, kind int not null);
insert into events select g, g % 10 from generate_series(1, 2000) g;
analyze events;
`;
const LOOKUP = "select count(*) from events where kind = $1";

async function lookups(url: string, calls: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < calls; i++) await client.query(LOOKUP, [i % 10]);
  } finally {
    await client.end();
  }
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe.each(server("pg15"))("dbopt collect on $name", (srv) => {
  let target: TestDatabase;

  beforeAll(async () => {
    target = await createTestDatabase(srv, SETUP);
    await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
  });
  afterAll(async () => {
    await target?.drop();
  });

  it("leaves no partial sample when killed while writing one, and the next run continues", async () => {
    const store = await createTestDatabase(srv);
    const args = ["collect", "--db", target.url, "--store", store.url, "--once"];
    const storeRows = async (sql: string) => (await runAsAdmin(store.url, sql)).rows;
    const lookupCalls = async () =>
      (
        await storeRows(`select ss.calls::int as calls from dbopt_store.statement_sample ss
           join dbopt_store.statement s on s.id = ss.statement_id where s.query = '${LOOKUP}' order by ss.taken_at`)
      ).map((r) => r.calls);
    try {
      const first = await runCli(args);
      expect(first.stderr).toMatch(/first sample/);
      expect(first.code).toBe(0);
      await lookups(target.url, 20);

      // Hold the last table a sample writes: the collector blocks there with the rest of its sample written.
      const blocker = new pg.Client({ connectionString: store.url });
      await blocker.connect();
      await blocker.query("begin; lock table dbopt_store.database_sample in access exclusive mode");
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: "ignore",
      });
      const exited = new Promise((done) => child.once("close", done));
      const pid = await until("the collector to wait on the lock", async () => {
        const [row] = (
          await runAsAdmin(
            store.url,
            `select pid from pg_stat_activity
              where application_name = 'dbopt store' and wait_event_type = 'Lock' and datname = current_database()`,
          )
        ).rows;
        return (row?.pid as number | undefined) ?? null;
      });
      // The blocked transaction has written the sample row and the statements' deltas already.
      const [locks] = (
        await runAsAdmin(
          store.url,
          `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
            where l.pid = $1 and l.granted and c.relname like 'statement_sample%' and l.mode = 'RowExclusiveLock'`,
          [pid],
        )
      ).rows;
      expect(locks?.n).toBeGreaterThan(0);
      child.kill("SIGKILL");
      await exited;
      await blocker.query("rollback");
      await blocker.end();
      await until("the killed collector's session to end", async () =>
        (await runAsAdmin(store.url, "select 1 from pg_stat_activity where pid = $1", [pid])).rows.length
          ? null
          : true,
      );
      expect(await storeRows("select count(*)::int as n from dbopt_store.sample")).toEqual([{ n: 1 }]);
      expect(await lookupCalls()).toEqual([]);

      const next = await runCli(args);
      expect(next.code).toBe(0);
      expect(next.stderr).toMatch(/ran since the last sample/);
      // The 20 calls are counted once, from the last committed sample.
      expect(await lookupCalls()).toEqual([20]);
      expect(await storeRows("select count(*)::int as n from dbopt_store.sample")).toEqual([{ n: 2 }]);
    } finally {
      await store.drop();
    }
  });

  it("samples every interval, looks at activity in between, and stops cleanly on Ctrl-C", async () => {
    const store = await createTestDatabase(srv);
    try {
      let interrupted = false;
      const run = await runCli(["collect", "--db", target.url, "--store", store.url, "--every", "5s"], {
        onStderr: (text, child) => {
          if (!interrupted && (text.match(/ statements/g) ?? []).length >= 2) {
            interrupted = true;
            child.kill("SIGINT");
          }
        },
      });
      expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({
        code: 0,
        signal: null,
        stderr: expect.not.stringMatching(/error/),
      });
      const samples = (
        await runAsAdmin(store.url, "select wait_probes as probes from dbopt_store.sample order by taken_at")
      ).rows.map((r) => Number(r.probes));
      expect(samples.length).toBeGreaterThanOrEqual(2);
      // The first sample of a run has looked nowhere yet; the next one has the looks of the interval.
      expect(samples[0]).toBe(0);
      expect(samples[1]).toBeGreaterThanOrEqual(3);
    } finally {
      await store.drop();
    }
  });

  it("keeps the default store in $DBOPT_HOME: an embedded PostgreSQL 18 started for the run and stopped after", async () => {
    const home = mkdtempSync(join(tmpdir(), "dbopt-home-"));
    // As root the store's server runs as the postgres user, which must be able to enter the folder.
    chmodSync(home, 0o755);
    try {
      const env = { DBOPT_HOME: home };
      const first = await runCli(["collect", "--db", target.url, "--once"], { env });
      expect(first.stderr).toMatch(/first sample/);
      expect(first.code).toBe(0);
      expect(existsSync(join(home, "store", "PG_VERSION"))).toBe(true);
      expect(existsSync(join(home, "store", "postmaster.pid"))).toBe(false);

      await lookups(target.url, 7);
      const second = await runCli(["collect", "--db", target.url, "--once"], { env });
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/statements, [1-9]\d* ran since the last sample/);
      expect(existsSync(join(home, "store", "postmaster.pid"))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("says what is wrong with an option in one line, exit 2", async () => {
    for (const [args, message] of [
      [["--keep", "2x"], /--keep must be a period of at least one day/],
      [["--keep", "3h"], /--keep must be a period of at least one day/],
      [["--every", "soon"], /--every must be a duration/],
      [["--store", "mysql://x"], /--store must be a PostgreSQL URL/],
    ] as const) {
      const run = await runCli(["collect", "--db", target.url, "--once", ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
