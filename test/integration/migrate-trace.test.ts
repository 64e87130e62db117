import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, server, type TestDatabase } from "../support/servers.js";

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
