/**
 * One table behind an ACCESS EXCLUSIVE lock held by a real second session: check, snapshot, tune, analyze and
 * advise all keep going around it, name it with the session that holds the lock, and finish in about one
 * lock_timeout instead of failing as a whole.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create extension pg_stat_statements;
create extension hypopg;
create table customers (id int primary key, email text not null, region text);
insert into customers select g, 'user' || g || '@example.com', 'r' || (g % 20) from generate_series(1, 20000) g;
create table orders (id int primary key, customer_id int not null references customers, total numeric, created_at timestamptz default now());
insert into orders select g, 1 + g % 20000, g % 500, now() - g * interval '1 minute' from generate_series(1, 50000) g;
create index orders_created_idx on orders (created_at);
`;

describe.each(server("pg15"))("a table locked by another session, on $name", (srv) => {
  let db: TestDatabase;
  let locker: pg.Client;
  let lockerPid: number;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-locked-"));
  const workload = join(dir, "workload.sql");

  beforeAll(async () => {
    db = await createTestDatabase(srv, SCHEMA);
    await runAsAdmin(db.url, "vacuum analyze");
    // Statements for pg_stat_statements (analyze reads them): one on the table that will be locked, one not.
    for (let i = 0; i < 20; i++) {
      await runAsAdmin(db.url, "select * from customers where email = $1", [`user${i}@example.com`]);
      await runAsAdmin(db.url, "select * from orders where customer_id = $1", [i + 1]);
    }
    writeFileSync(
      workload,
      "select * from customers where email = 'user7@example.com';\nselect * from orders where customer_id = 42;\n",
    );
    locker = new pg.Client({ connectionString: db.url, application_name: "migration" });
    await locker.connect();
    lockerPid = Number((await locker.query("select pg_backend_pid() as pid")).rows[0].pid);
    await locker.query("begin");
    await locker.query("lock table orders in access exclusive mode");
  }, 120_000);

  afterAll(async () => {
    await locker?.query("rollback").catch(() => {});
    await locker?.end().catch(() => {});
    await db?.drop();
  });

  const args = () => ["--db", db.url, "--lock-timeout", "1s"];
  const timed = async (argv: string[]) => {
    const started = Date.now();
    const r = await runCli(argv);
    return { ...r, seconds: (Date.now() - started) / 1000 };
  };
  const lockedLine = () =>
    new RegExp(`public\\.orders.*locked by pid ${lockerPid} \\(postgres, idle in transaction`);

  it("check reports the rest, names the locked table and the session holding it", {
    timeout: 60_000,
  }, async () => {
    const r = await timed(["check", ...args(), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(15);
    const report = JSON.parse(r.stdout) as {
      notes: string[];
      findings: Array<{ ruleId: string; title: string; detail: string; evidence: Record<string, unknown> }>;
    };
    expect(report.notes.join("\n")).toMatch(lockedLine());
    expect(report.notes.join("\n")).toMatch(
      /holding AccessExclusiveLock: lock table orders in access exclusive mode/,
    );
    const chain = report.findings.find((f) => f.ruleId === "health/blocking-chain");
    expect(chain?.title).toBe(
      `pid ${lockerPid} holds AccessExclusiveLock on public.orders: every query on it waits`,
    );
    expect(chain?.evidence).toMatchObject({ rootPid: lockerPid, rootState: "idle in transaction" });
    // The other tables are checked as usual: customers is in the snapshot, orders is not.
    expect(JSON.stringify(report.findings)).not.toMatch(/"table":"orders"/);
  });

  it("snapshot writes everything else and records what it skipped", { timeout: 60_000 }, async () => {
    const out = join(dir, "snapshot.json");
    const r = await timed(["snapshot", ...args(), "--out", out]);
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(15);
    expect(r.stderr).toMatch(lockedLine());
    const snapshot = JSON.parse(readFileSync(out, "utf8")) as {
      tables: Array<{ name: string }>;
      skipped: Array<{ schema: string; name: string; lock: { pid: number; mode: string; granted: boolean } }>;
    };
    expect(snapshot.tables.map((t) => t.name)).toEqual(["customers"]);
    expect(snapshot.skipped).toMatchObject([
      {
        schema: "public",
        name: "orders",
        lock: { pid: lockerPid, mode: "AccessExclusiveLock", granted: true },
      },
    ]);
  });

  it("tune gives its advice and says what it left out", { timeout: 60_000 }, async () => {
    const r = await timed(["tune", ...args(), "--ram", "4GB"]);
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(15);
    expect(r.stdout).toMatch(lockedLine());
    expect(r.stdout).toMatch(/shared_buffers/);
  });

  it("analyze explains the other statements and says which one waits for the lock", {
    timeout: 60_000,
  }, async () => {
    const r = await timed(["analyze", ...args(), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(20);
    const report = JSON.parse(r.stdout) as {
      statements: Array<{ query: string; plan: unknown; skipped: string | null }>;
      notes: string[];
    };
    const onOrders = report.statements.find((s) => /from orders/.test(s.query));
    const onCustomers = report.statements.find((s) => /from customers/.test(s.query));
    expect(onOrders?.plan).toBeNull();
    expect(onOrders?.skipped).toMatch(
      new RegExp(`^not explained: public\\.orders is locked by pid ${lockerPid}`),
    );
    expect(onCustomers?.plan).not.toBeNull();
    expect(report.notes.join("\n")).toMatch(
      /could not explain 1 of \d+ statements: public\.orders is locked/,
    );
  });

  it("advise costs the statements it can and leaves out the one on the locked table", {
    timeout: 60_000,
  }, async () => {
    const r = await timed(["advise", ...args(), "--workload", workload, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(15);
    const advice = JSON.parse(r.stdout) as {
      recommendations: Array<{ ddl: string }>;
      notes: string[];
      unplanned: Array<{ query: string; why: string }>;
      workload: { statements: number };
    };
    expect(advice.workload.statements).toBe(1);
    expect(advice.recommendations.map((x) => x.ddl)).toEqual([
      "CREATE INDEX CONCURRENTLY ON customers (email);",
    ]);
    expect(advice.unplanned).toHaveLength(1);
    expect(advice.unplanned[0]?.why).toMatch(new RegExp(`public\\.orders, locked by pid ${lockerPid}`));
    expect(advice.notes.join("\n")).toMatch(/could not plan 1 of 2 statements, left out of the advice/);
  });

  it("advise with only the locked table's statement draws no conclusion", { timeout: 60_000 }, async () => {
    const only = join(dir, "only-orders.sql");
    writeFileSync(only, "select * from orders where customer_id = 42;\n");
    const r = await timed(["advise", ...args(), "--workload", only]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `could not plan the workload's one statement, so there is no index advice: .*public\\.orders, locked by pid ${lockerPid}`,
      ),
    );
    expect(r.stderr).not.toMatch(/No new index would help/);
  });

  it("names the whole chain when an ALTER TABLE waits behind an open transaction", {
    timeout: 60_000,
  }, async () => {
    const reader = new pg.Client({ connectionString: db.url, application_name: "report" });
    const alter = new pg.Client({ connectionString: db.url, application_name: "migration" });
    await reader.connect();
    await alter.connect();
    try {
      const readerPid = Number((await reader.query("select pg_backend_pid() as pid")).rows[0].pid);
      const alterPid = Number((await alter.query("select pg_backend_pid() as pid")).rows[0].pid);
      await reader.query("begin");
      await reader.query("select count(*) from customers");
      await alter.query("set lock_timeout = 0");
      const altered = alter.query("alter table customers add column note text").catch(() => {});
      // Wait until the ALTER is queued for its lock.
      for (let i = 0; i < 100; i++) {
        const waiting = await runAsAdmin(
          db.url,
          "select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'",
          [alterPid],
        );
        if (waiting.rowCount === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await timed(["check", ...args(), "--format", "json"]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        notes: string[];
        findings: Array<{ ruleId: string; detail: string; evidence: Record<string, unknown> }>;
      };
      expect(report.notes.join("\n")).toMatch(
        new RegExp(
          `skipped table public\\.customers .*blocked: pid ${alterPid} \\(postgres, active, transaction open \\d+ s\\) waits for AccessExclusiveLock behind pid ${readerPid}, and every reader queues behind it: alter table customers add column note text`,
        ),
      );
      const chain = report.findings.find(
        (f) => f.ruleId === "health/blocking-chain" && f.evidence.rootPid === readerPid,
      );
      expect(chain?.evidence).toMatchObject({
        blocked: 1,
        rootState: "idle in transaction",
        lockedObjects: "public.customers",
      });
      expect(chain?.detail).toMatch(
        new RegExp(`└ pid ${alterPid} postgres \\[active, waits Lock/relation\\] alter table customers`),
      );
      await reader.query("rollback");
      await altered;
    } finally {
      await reader.end().catch(() => {});
      await alter.end().catch(() => {});
    }
  });
});
