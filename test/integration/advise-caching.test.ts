/**
 * dbopt advise caching on PostgreSQL 15 and the local Redis, with the situation planted: a hot, read-mostly lookup
 * table (its name awkward on purpose) read by code, next to an append-only events table read by time. The
 * lookup is proposed, replayed through the cache against Redis, and its NOTIFY trigger runs as printed.
 */
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyTriggerSql } from "../../src/rules/architecture/cache-result.js";
import { REDIS_URL, redisAvailable } from "../support/redis.js";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table "Country Codes" (code text primary key, name text not null, region int not null);
insert into "Country Codes" select 'c' || g, 'country ' || g, g % 7 from generate_series(1, 60) g;
create table events (id bigserial primary key, at timestamptz not null default now(), kind int not null);
insert into events (kind) select g % 5 from generate_series(1, 20000) g;
analyze;`;

interface Finding {
  ruleId: string;
  query?: string;
  evidence: Record<string, number | string | boolean | null>;
}

const redisUp = await redisAvailable();

describe.skipIf(!redisUp).each(server("pg15"))("dbopt advise caching ($name)", (srv) => {
  let db: TestDatabase;
  let report: { findings: Finding[]; code: { wrapper: string } | null; verified: boolean; notes: string[] };

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    let running = true;
    // The application while dbopt measures: lookups by code, events written and read by time.
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        await app.query('select name, region from "Country Codes" where code = $1', [
          `c${1 + ((i * 7) % 60)}`,
        ]);
        if (i % 10 === 0) await app.query("insert into events (kind) values ($1)", [i % 5]);
        if (i % 10 === 5)
          await app.query("select count(*) from events where at > now() - interval '1 minute'");
      }
    })();
    const r = await runCli([
      "advise",
      "caching",
      "--db",
      db.url,
      "--window",
      "3s",
      "--verify",
      REDIS_URL,
      "--replay",
      "300",
      "--format",
      "json",
    ]);
    running = false;
    await traffic;
    await app.end();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("proposes the hot lookup, replayed against Redis with measured database time", () => {
    const lookup = report.findings.find(
      (f) => f.ruleId === "architecture/cache-result" && /Country Codes/.test(f.query ?? ""),
    );
    expect(report.verified).toBe(true);
    expect(lookup?.evidence.keys).toBe(60);
    expect(Number(lookup?.evidence.verifiedHitRate)).toBeGreaterThan(0.5);
    expect(Number(lookup?.evidence.verifiedWithMs)).toBeLessThan(Number(lookup?.evidence.verifiedWithoutMs));
    expect(report.code?.wrapper).toMatch(/"select name, region from \\"Country Codes\\" where code = \$1"/);
  });

  it("never proposes a read that depends on the clock", () => {
    expect(report.findings.some((f) => /now\(\)/.test(f.query ?? ""))).toBe(false);
  });

  it("leaves no key in Redis", async () => {
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys("dbopt-verify:*")).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it("prints a NOTIFY trigger that runs as printed and names the changed row", async () => {
    const trigger = notifyTriggerSql(
      {
        callsPerSecond: 10,
        ttlSeconds: 60,
        hitRate: 0.9,
        invalidation: "event",
        key: { rows: { table: "public.Country Codes", columns: ["code"], params: [1] } },
        savedMs: 1,
      },
      {
        tables: [
          {
            schema: "public",
            table: "Country Codes",
            name: "public.Country Codes",
            rows: 60,
            changesPerSecond: 0,
            rowChangesPerSecond: 0,
            heapBlocksHit: 0,
            heapBlocksRead: 0,
            totalBytes: 0,
          },
        ],
      },
    );
    await runAsAdmin(db.url, trigger);
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const payload = new Promise<string>((resolve) =>
        listener.on("notification", (n) => resolve(String(n.payload))),
      );
      await listener.query("LISTEN dbopt_cache");
      await runAsAdmin(db.url, `update "Country Codes" set name = 'renamed' where code = 'c7'`);
      expect(await payload).toBe("public.Country Codes:c7");
    } finally {
      await listener.end();
    }
  });
});
