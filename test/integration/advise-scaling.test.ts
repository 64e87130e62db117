/**
 * dbopt advise scaling on PostgreSQL 15, with the situations planted: a client that holds 40 idle connections, an
 * application that sets its search_path and LISTENs per session, and a read-mostly catalogue whose reads a replica
 * could serve, next to order reads that follow their own writes in the traces.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

interface Finding {
  ruleId: string;
  severity: string;
  title: string;
  detail: string;
  evidence: Record<string, number | string | boolean | null>;
}

const SETUP = `
create extension if not exists pg_stat_statements;
create table products (id int primary key, category int not null, name text not null);
insert into products select g, g % 50, 'product ' || g from generate_series(1, 20000) g;
create table orders (id int primary key, customer int not null, status text not null);
insert into orders select g, g % 900, 'new' from generate_series(1, 5000) g;
analyze;`;

/** One OTLP/JSON trace per request: its database spans in order. */
function traceFile(requests: string[][]): string {
  let t = 1_700_000_000_000_000_000n;
  const spans = requests.flatMap((queries, r) =>
    queries.map((query, i) => {
      t += 1_000_000n;
      return {
        traceId: `trace${r}`.padEnd(32, "0"),
        spanId: `s${r}x${i}`.padEnd(16, "0"),
        name: "db",
        startTimeUnixNano: String(t),
        endTimeUnixNano: String(t + 500_000n),
        attributes: [
          { key: "db.system", value: { stringValue: "postgresql" } },
          { key: "db.statement", value: { stringValue: query } },
        ],
      };
    }),
  );
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

describe.each(server("pg15"))("dbopt advise scaling ($name)", (srv) => {
  let db: TestDatabase;
  const idle: pg.Client[] = [];
  let dir = "";
  let report: { findings: Finding[]; notes: string[]; activity: { samples: number } };

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    await app.query("SET search_path = public");
    await app.query("LISTEN orders_changed");
    for (let i = 0; i < 300; i++) await app.query(`select * from products where category = ${i % 50}`);
    for (let i = 1; i <= 100; i++) {
      await app.query(`update orders set status = 'paid' where id = ${i}`);
      await app.query(`select * from orders where id = ${i}`);
    }
    await app.end();
    // The client that holds its connections open and idle.
    for (let i = 0; i < 40; i++) {
      const c = new pg.Client({ connectionString: db.url, application_name: "idle-holder" });
      await c.connect();
      idle.push(c);
    }
    dir = mkdtempSync(join(tmpdir(), "dbopt-scaling-"));
    const requests = [
      ...Array.from({ length: 25 }, (_, i) => [`select * from products where category = ${i}`]),
      ...Array.from({ length: 10 }, (_, i) => [
        `update orders set status = 'paid' where id = ${i + 1}`,
        `select * from orders where id = ${i + 1}`,
      ]),
    ];
    writeFileSync(join(dir, "traces.json"), traceFile(requests));
    const r = await runCli([
      "advise",
      "scaling",
      "--db",
      db.url,
      "--samples",
      "3",
      "--interval",
      "100ms",
      "--cpus",
      "2",
      "--traces",
      join(dir, "traces.json"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(idle.map((c) => c.end()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  const finding = (id: string) => report.findings.find((f) => f.ruleId === id);

  it("sizes the pool from the cores and sees the idle connections a pooler would free", () => {
    const f = finding("architecture/pool-size");
    expect(report.activity.samples).toBe(3);
    expect(f?.severity).toBe("warning");
    expect(f?.evidence.maxConnections).toBeGreaterThanOrEqual(40);
    expect(f?.evidence.idleShare).toBeGreaterThan(0.5);
    expect(f?.evidence.poolSize).toBe(5);
    expect(f?.evidence.meanTransactionMs).not.toBeNull();
  });

  it("names the session state that transaction pooling would break", () => {
    const f = finding("architecture/pooler-mode");
    expect(f?.severity).toBe("warning");
    expect(f?.evidence).toMatchObject({ setCalls: 1, listenCalls: 1 });
    expect(f?.detail).toMatch(/LISTEN registers the server connection/);
  });

  it("finds the catalogue reads a replica could take, and keeps the order reads that follow their writes", () => {
    const f = finding("architecture/read-replicas");
    expect(f?.evidence.lagTolerantStatements).toBe(1);
    expect(f?.evidence.readsOwnWritesStatements).toBe(1);
    expect(f?.detail).toMatch(/select \* from orders where id = \$1 \(10 of 10 runs\)/);
    expect(Number(f?.evidence.readShare)).toBeGreaterThan(0.3);
  });

  it("says what is wrong with a bad option in one line", async () => {
    const r = await runCli(["advise", "scaling", "--db", db.url, "--samples", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--samples/);
    const missing = await runCli(["advise", "scaling", "--db", db.url, "--traces", join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json/);
  });
});
