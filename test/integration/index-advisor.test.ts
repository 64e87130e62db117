import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../support/fixtures.js";
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
