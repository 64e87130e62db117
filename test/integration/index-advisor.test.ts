import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../support/fixtures.js";
import { PG15_BIN, type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

const WORKLOAD = join(FIXTURES, "advisor", "advisor-workload.sql");

interface Advice {
  recommendations: Array<{
    ddl: string;
    table: string;
    sizeBytes: number;
    reason: string;
    queries: Array<{ query: string; costBefore: number; costAfter: number }>;
    measured?: Array<{ beforeMs: number; afterMs: number }>;
  }>;
  drops: Array<{ ddl: string; index: string }>;
  unmeasured: Array<{ ddl: string; why: string }>;
  workload: { costBefore: number; costAfter: number };
  whatIfCalls: number;
  applied: string[];
}

const indexCount = async (url: string) =>
  Number(
    (await runAsAdmin(url, "select count(*)::int as n from pg_indexes where schemaname = 'public'")).rows[0]
      .n,
  );

describe.each(availableServers())("dbopt advise on $name", (server) => {
  // PostgreSQL 15 has HypoPG here; the embedded 18 has not, so it is measured as a sandbox.
  const mode = server.name === "pg15" ? [] : ["--sandbox"];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(
      server,
      readFileSync(join(FIXTURES, "advisor", "advisor-schema.sql"), "utf8"),
    );
    // FREEZE marks every page all-visible even while other tests hold transactions open: index-only scans then cost
    // what they would on a quiet server.
    await runAsAdmin(db.url, "vacuum (freeze, analyze)");
    if (server.name === "pg15") await runAsAdmin(db.url, "create extension hypopg");
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("finds the expression, composite, partial, covering and BRIN indexes, and the redundant one", {
    timeout: 120_000,
  }, async () => {
    const before = await indexCount(db.url);
    const r = await runCli(["advise", "--db", db.url, "--workload", WORKLOAD, "--format", "json", ...mode]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as Advice;
    const ddls = advice.recommendations.map((x) => x.ddl);
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON users ((lower(email)));");
    expect(
      ddls.some((d) => /^CREATE INDEX CONCURRENTLY ON tickets \(tenant_id, status, updated_at\)/.test(d)),
    ).toBe(true);
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON tickets (created_at) WHERE status = 'escalated';");
    // Covering either way: amount in INCLUDE, or as a second key when a chosen (account_id) is widened.
    expect(
      ddls.some((d) =>
        /^CREATE INDEX CONCURRENTLY ON payments \(account_id(\) INCLUDE \(amount\)|, amount\));$/.test(d),
      ),
    ).toBe(true);
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON events USING brin (at);");
    expect(advice.drops.map((d) => d.ddl)).toEqual(["DROP INDEX CONCURRENTLY tickets_tenant_idx;"]);
    for (const rec of advice.recommendations) {
      expect(rec.sizeBytes).toBeGreaterThan(0);
      for (const q of rec.queries) expect(q.costAfter).toBeLessThan(q.costBefore);
    }
    expect(advice.workload.costAfter).toBeLessThan(advice.workload.costBefore * 0.5);
    expect(advice.whatIfCalls).toBeGreaterThan(0);
    if (server.name === "pg15") {
      expect(advice.unmeasured.map((u) => u.ddl)).toEqual([
        "CREATE INDEX CONCURRENTLY ON docs USING gin (body jsonb_path_ops);",
      ]);
      expect(advice.unmeasured[0]?.why).toMatch(/HypoPG cannot simulate GIN/);
    } else {
      expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON docs USING gin (body jsonb_path_ops);");
    }
    // Nothing was written: not the recommendations, not the sandbox's what-if indexes.
    expect(await indexCount(db.url)).toBe(before);
  });

  it("keeps within the byte budget", { timeout: 120_000 }, async () => {
    const r = await runCli([
      "advise",
      "--db",
      db.url,
      "--workload",
      WORKLOAD,
      "--format",
      "json",
      "--budget",
      "1MB",
      ...mode,
    ]);
    const advice = JSON.parse(r.stdout) as Advice;
    expect(advice.recommendations.reduce((s, x) => s + x.sizeBytes, 0)).toBeLessThanOrEqual(1024 * 1024);
    expect(advice.recommendations.length).toBeGreaterThan(0);
  });

  it("measures the recommendations on a sandbox with --verify, then drops them", {
    timeout: 120_000,
  }, async () => {
    const before = await indexCount(db.url);
    const r = await runCli([
      "advise",
      "--db",
      db.url,
      "--workload",
      WORKLOAD,
      "--format",
      "json",
      "--sandbox",
      "--verify",
    ]);
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as Advice & {
      recommendations: Array<{ measured?: Array<{ beforeMs: number; afterMs: number }> }>;
    };
    const email = advice.recommendations.find(
      (x) => x.ddl === "CREATE INDEX CONCURRENTLY ON users ((lower(email)));",
    );
    expect(email?.measured?.[0]?.afterMs).toBeLessThan((email?.measured?.[0]?.beforeMs ?? 0) / 5);
    expect(await indexCount(db.url)).toBe(before);
  });

  it("builds the recommendations with --apply", { timeout: 120_000 }, async () => {
    const before = await indexCount(db.url);
    const r = await runCli([
      "advise",
      "--db",
      db.url,
      "--workload",
      WORKLOAD,
      "--format",
      "json",
      "--max-indexes",
      "1",
      "--apply",
      ...mode,
    ]);
    const advice = JSON.parse(r.stdout) as Advice;
    expect(advice.applied).toHaveLength(1);
    expect(await indexCount(db.url)).toBe(before + 1);
  });
});

describe("dbopt advise --verify", () => {
  it("refuses to build indexes on a database not marked as a sandbox", async () => {
    const r = await runCli(["advise", "--db", "postgresql://postgres@127.0.0.1:1/x", "--verify"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--verify builds the recommended indexes and runs the statements\. Use it on a copy of the database, with --sandbox\./,
    );
  });
});

describe("dbopt advise without HypoPG", () => {
  const pg18 = availableServers().filter((s) => s.name === "pg18");
  it.each(pg18)("says how to get it, or to use --sandbox ($name)", async (server) => {
    const db = await createTestDatabase(server, "create table t (id int primary key, v text);");
    try {
      const r = await runCli(["advise", "--db", db.url, "--workload", WORKLOAD]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /this server does not have the HypoPG extension\. Install it .* or use --sandbox on a copy\./,
      );
    } finally {
      await db.drop();
    }
  });
});

describe.each(availableServers().filter((s) => s.name === "pg15"))("dbopt advise --log on $name", () => {
  // A server of its own, so that its log holds this workload alone: Debian's PostgreSQL 15 binaries, which have
  // HypoPG, logging every statement.
  let server: PrivatePostgres;
  let url: string;
  const log = () => join(server.logDirectory, "postgresql.log");
  beforeAll(async () => {
    server = startPrivatePostgres(PG15_BIN, 54_400 + Math.floor(Math.random() * 500), {
      logging_collector: "on",
      log_destination: "stderr",
      log_filename: "postgresql.log",
      log_min_duration_statement: "0",
      log_line_prefix: "%m [%p] %q%u@%d ",
    });
    url = server.url;
    await runAsAdmin(
      url,
      `create table customers (id bigint primary key, name text not null);
       create table orders (id bigint primary key, customer_id bigint not null, total numeric(10,2) not null);
       insert into customers select g, 'customer ' || g from generate_series(1, 200) g;
       insert into orders select g, 1 + g % 200, g % 1000 from generate_series(1, 50000) g;
       create extension hypopg;`,
    );
    await runAsAdmin(url, "vacuum (freeze, analyze)");
    // The application's N+1 lookups over the extended protocol (values in DETAIL: parameters), and a report.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (let id = 1; id <= 60; id++)
      await client.query("select id, total from orders where customer_id = $1", [id]);
    await client.query("select count(*) from customers");
    await client.end();
    await new Promise((r) => setTimeout(r, 300));
  }, 60_000);
  afterAll(() => {
    server?.remove();
  });

  it("takes the workload from the server log, weighted by logged time", { timeout: 60_000 }, async () => {
    const r = await runCli(["advise", "--db", url, "--log", log(), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as Advice;
    expect(advice.recommendations.map((x) => x.ddl)).toEqual([
      expect.stringMatching(/^CREATE INDEX CONCURRENTLY ON orders \(customer_id/),
    ]);
    const [lookup] = advice.recommendations[0]?.queries ?? [];
    // Planned with a value the log kept for it, not a placeholder.
    expect(lookup?.query).toMatch(/^select id, total from orders where customer_id = '\d+'$/);
    expect(lookup?.costAfter).toBeLessThan((lookup?.costBefore ?? 0) / 10);
  });

  it("refuses --workload and --log together", async () => {
    const r = await runCli(["advise", "--db", url, "--log", log(), "--workload", WORKLOAD]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workload and --log both give the workload/);
  });
});
