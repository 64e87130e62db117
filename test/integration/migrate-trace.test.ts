import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

// pg_dump output of a server with HypoPG: the embedded server has no such extension, so trace leaves it out.
const SCHEMA = `\\restrict abc
CREATE EXTENSION IF NOT EXISTS hypopg WITH SCHEMA public;
create table customers (id bigint primary key, name text);
create table orders (id bigint primary key, customer_id bigint, qty integer, note varchar(200));`;

const MIGRATION = `create index on orders (qty);
alter table orders add column token uuid default gen_random_uuid();
alter table orders add column flag boolean not null default false;
alter table orders add constraint orders_customer_fk foreign key (customer_id) references customers (id);
alter table orders alter column note set not null;
alter table orders alter column qty type bigint;
alter table orders alter column note type varchar(400);
create index concurrently on orders (customer_id);
`;

interface Trace {
  pgVersion: number;
  statements: Array<{
    line: number;
    mode: string;
    locks: Array<{ table: string; mode: string }> | null;
    rewritten: string[];
    error: string | null;
  }>;
  findings: Array<{ ruleId: string; location: { line: number }; evidence: Record<string, unknown> }>;
}

function files() {
  const dir = mkdtempSync(join(tmpdir(), "dbopt-trace-"));
  writeFileSync(join(dir, "schema.sql"), SCHEMA);
  writeFileSync(join(dir, "001_orders.sql"), MIGRATION);
  return dir;
}

function expectRealLocks(out: Trace) {
  const at = (line: number) => out.statements.find((s) => s.line === line);
  const lock = (line: number, table: string) => at(line)?.locks?.find((l) => l.table === table)?.mode;
  expect(out.statements.every((s) => s.error === null)).toBe(true);
  expect(lock(1, "orders")).toBe("ShareLock");
  expect([lock(2, "orders"), at(2)?.rewritten]).toEqual(["AccessExclusiveLock", ["orders"]]);
  expect([lock(3, "orders"), at(3)?.rewritten]).toEqual(["AccessExclusiveLock", []]);
  expect([lock(4, "orders"), lock(4, "customers")]).toEqual([
    "ShareRowExclusiveLock",
    "ShareRowExclusiveLock",
  ]);
  expect([lock(5, "orders"), at(5)?.rewritten]).toEqual(["AccessExclusiveLock", []]);
  expect(at(6)?.rewritten).toEqual(["orders"]);
  expect(at(7)?.rewritten).toEqual([]);
  // Outside a transaction: watched from a second session while it waits for that session's snapshot.
  expect(at(8)).toMatchObject({
    mode: "alone",
    locks: [{ table: "orders", mode: "ShareUpdateExclusiveLock" }],
  });
  const verdict = (rule: string) => out.findings.find((f) => f.ruleId === rule)?.evidence.trace;
  expect(verdict("migration/create-index-not-concurrent")).toBe("confirmed");
  expect(verdict("migration/add-column-rewrite")).toBe("confirmed");
  expect(verdict("migration/constraint-validated-in-place")).toBe("confirmed");
  expect(verdict("migration/alter-column-type")).toBe("confirmed");
}

describe("dbopt migrate trace on an embedded PostgreSQL 18", () => {
  it("records the locks and rewrites each statement really takes", { timeout: 120_000 }, async () => {
    const dir = files();
    const r = await runCli([
      "migrate",
      "trace",
      join(dir, "001_orders.sql"),
      "--schema",
      join(dir, "schema.sql"),
      "--rows",
      "customers=2000",
      "--rows",
      "orders=1000",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Trace;
    expect(out.pgVersion).toBe(18);
    expectRealLocks(out);
  });
});

describe("dbopt migrate trace --schema-from a server that cannot be reached", () => {
  it("says so in one line and exits 3, before starting a server", async () => {
    const dir = files();
    const r = await runCli([
      "migrate",
      "trace",
      join(dir, "001_orders.sql"),
      "--schema-from",
      "postgresql://postgres:secret@127.0.0.1:1/nowhere",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /pg_dump could not reach the --schema-from database: .*127\.0\.0\.1.*port 1 failed/,
    );
    expect(r.stderr).not.toContain("secret");
  });
});

describe.each(server("pg15"))("dbopt migrate trace --db on $name", (s) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(s);
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("runs only with --sandbox, and records the same locks", { timeout: 120_000 }, async () => {
    const dir = files();
    const refused = await runCli(["migrate", "trace", dir, "--db", db.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--sandbox/);
    const r = await runCli([
      "migrate",
      "trace",
      join(dir, "001_orders.sql"),
      "--schema",
      join(dir, "schema.sql"),
      "--db",
      db.url,
      "--sandbox",
      "--rows",
      "customers=2000",
      "--rows",
      "orders=1000",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Trace;
    expect(out.pgVersion).toBe(15);
    expectRealLocks(out);
  });
});

// A migration that drops the index a heavy lookup uses, and one statement it does not touch.
const REPLAN_SCHEMA = `create table accounts (id bigint primary key, email text not null, region int not null);
create index accounts_region on accounts (region);`;
const REPLAN_MIGRATION = "drop index accounts_region;\nalter table accounts add column note text;\n";
const REPLAN_WORKLOAD = `-- calls: 5000
select id, email from accounts where region = $1;
-- calls: 10
select email from accounts where id = $1;
`;

describe("dbopt migrate trace re-plans the workload before and after the migrations", () => {
  it("names the statement whose plan got worse, the node where the plans diverge and the index it lost", {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-replan-"));
    writeFileSync(join(dir, "schema.sql"), REPLAN_SCHEMA);
    writeFileSync(join(dir, "001_drop_region_index.sql"), REPLAN_MIGRATION);
    writeFileSync(join(dir, "workload.sql"), REPLAN_WORKLOAD);
    const r = await runCli([
      "migrate",
      "trace",
      join(dir, "001_drop_region_index.sql"),
      "--schema",
      join(dir, "schema.sql"),
      "--rows",
      "accounts=20000",
      "--workload",
      join(dir, "workload.sql"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Omit<Trace, "findings"> & {
      replanned: Array<{
        id: string;
        worse: boolean;
        changed: boolean;
        planBefore: string;
        planAfter: string;
        indexesLost: string[];
        divergesAt: string | null;
        factor: number;
      }>;
      replanSource: string;
      findings: Array<{ ruleId: string; title: string; evidence: Record<string, unknown> }>;
    };
    expect(out.replanSource).toMatch(/workload\.sql \(2 statements\)/);
    const [worse, other] = out.replanned;
    expect(worse).toMatchObject({ id: "workload.sql:1", worse: true, indexesLost: ["accounts_region"] });
    expect(worse?.planBefore).toMatch(/accounts_region/);
    expect(worse?.planAfter).toMatch(/Seq Scan on (public\.)?accounts/);
    expect(worse?.divergesAt).toMatch(/accounts/);
    expect(worse?.factor).toBeGreaterThan(1.2);
    expect(other).toMatchObject({ id: "workload.sql:2", worse: false, changed: false });
    const finding = out.findings.find((f) => f.ruleId === "migration/plan-regressed");
    expect(finding?.title).toMatch(/no longer uses accounts_region/);
    expect(finding?.evidence.calls).toBe(5000);
    // The terminal report says it too.
    const terminal = await runCli([
      "migrate",
      "trace",
      join(dir, "001_drop_region_index.sql"),
      "--schema",
      join(dir, "schema.sql"),
      "--rows",
      "accounts=20000",
      "--workload",
      join(dir, "workload.sql"),
    ]);
    expect(terminal.stdout).toMatch(/worse workload\.sql:1/);
    expect(terminal.stdout).toMatch(/1 worse, 0 changed but not costlier, 1 unchanged/);
  });
});

describe.each(server("pg15"))("dbopt migrate trace re-plans --schema-from's top statements on $name", (s) => {
  let source: TestDatabase;
  beforeAll(async () => {
    source = await createTestDatabase(
      s,
      `create extension if not exists pg_stat_statements;
       ${REPLAN_SCHEMA}
       insert into accounts select g, 'a' || g, g % 200 from generate_series(1, 20000) g;
       analyze accounts;`,
    );
    await runAsAdmin(source.url, RESET_THIS_DATABASE_STATEMENTS);
    for (let i = 0; i < 30; i++)
      await runAsAdmin(source.url, "select id, email from accounts where region = $1", [i]);
  }, 60_000);
  afterAll(async () => {
    await source?.drop();
  });

  it("takes the statements from its pg_stat_statements and names the one the migration slows", {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-replan-pss-"));
    writeFileSync(join(dir, "001_drop_region_index.sql"), REPLAN_MIGRATION);
    const r = await runCli([
      "migrate",
      "trace",
      join(dir, "001_drop_region_index.sql"),
      "--schema-from",
      source.url,
      "--rows",
      "accounts=20000",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as {
      replanSource: string;
      replanned: Array<{ sql: string; worse: boolean; calls: number; indexesLost: string[] }>;
    };
    expect(out.replanSource).toMatch(/statements of .* by total time \(pg_stat_statements\)/);
    const lookup = out.replanned.find((x) => /where region = \$1/.test(x.sql));
    expect(lookup).toMatchObject({ worse: true, calls: 30, indexesLost: ["accounts_region"] });
  });
});
