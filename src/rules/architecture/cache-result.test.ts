import { beforeAll, describe, expect, it } from "vitest";
import { cacheStatementOf, cacheTableOf, cachingFactsOf } from "../../../test/support/scaling-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { cacheResult } from "./cache-result.js";

beforeAll(loadSqlParser);

const run = (facts: Parameters<typeof cacheResult.check>[0]) =>
  cacheResult.check(facts, defaultOptions(cacheResult));

describe("architecture/cache-result", () => {
  it("proposes a hot read over a table that never changes, with the hit rate its keys allow", () => {
    const [f] = run(
      cachingFactsOf({
        tables: [cacheTableOf("categories")],
        statements: [
          cacheStatementOf("select * from categories where id = $1", 10_000, 5000, {
            tables: ["public.categories"],
            keys: 50,
          }),
          cacheStatementOf("insert into orders values ($1)", 100, 5000),
        ],
      }),
    );
    // 100 calls a second over 50 keys: 2 a second per key, an hour's TTL: 7,200 hits per miss.
    expect(f?.evidence).toMatchObject({
      ttlSeconds: 3600,
      invalidation: "ttl",
      keys: 50,
      callsPerSecond: 100,
    });
    expect(Number(f?.evidence.expectedHitRate)).toBeGreaterThan(0.999);
    expect(f?.severity).toBe("warning");
    expect(f?.timeShare).toBeCloseTo(0.5, 2);
  });

  it("sets the TTL from how often the tables change, or the rows it looks up", () => {
    const [byTable] = run(
      cachingFactsOf({
        tables: [cacheTableOf("prices", { changesPerSecond: 0.01 })],
        statements: [
          cacheStatementOf("select sum(amount) from prices where region = $1", 5000, 2000, {
            tables: ["public.prices"],
            keys: 5,
          }),
        ],
      }),
    );
    // 5% stale at 0.01 changes a second: 2 × 0.05 / 0.01 = 10 s.
    expect(byTable?.evidence).toMatchObject({ ttlSeconds: 10, invalidation: "ttl" });
    const [byRow] = run(
      cachingFactsOf({
        tables: [cacheTableOf("users", { rows: 100_000, changesPerSecond: 5, rowChangesPerSecond: 5 })],
        statements: [
          cacheStatementOf("select * from users where id = $1", 20_000, 4000, {
            tables: ["public.users"],
            keys: 2000,
            uniqueLookup: { table: "public.users", columns: ["id"], params: [1] },
          }),
        ],
      }),
    );
    // A row changes every 20,000 s: 5% stale at 2 × 0.05 × 20,000 = 2,000 s.
    expect(byRow?.evidence).toMatchObject({ ttlSeconds: 2000, invalidation: "ttl" });
    expect(byRow?.detail).toMatch(/the public\.users rows by id change/);
  });

  it("prints a NOTIFY trigger that parses, for event-driven invalidation", () => {
    const [f] = run(
      cachingFactsOf({
        periodS: 1000,
        // Each row changes every 5 s: a TTL short enough to stay fresh (1 s) hits 29%; invalidated on change, 67%.
        tables: [cacheTableOf("Odd Table", { changesPerSecond: 200, rowChangesPerSecond: 200, rows: 1000 })],
        statements: [
          cacheStatementOf('select * from "Odd Table" where "Key" = $1', 200_000, 20_000, {
            tables: ["public.Odd Table"],
            keys: 500,
            uniqueLookup: { table: "public.Odd Table", columns: ["Key"], params: [1] },
          }),
        ],
      }),
    );
    expect(f?.evidence.invalidation).toBe("event");
    expect(f?.fix?.sql).toMatch(
      /CREATE TRIGGER dbopt_cache_rows_odd_table AFTER INSERT OR UPDATE OR DELETE ON "Odd Table" FOR EACH ROW/,
    );
    expect(parseSql(String(f?.fix?.sql)).stmts).toHaveLength(4);
  });

  it("never caches what depends on the clock, a VOLATILE function, or writes", () => {
    const tables = [cacheTableOf("events")];
    const hot = { tables: ["public.events"], keys: 1 };
    expect(
      run(
        cachingFactsOf({
          tables,
          statements: [
            cacheStatementOf("select * from events where at > now() - interval '1 hour'", 9000, 900, hot),
            cacheStatementOf("select * from events where id = random_id()", 9000, 900, {
              ...hot,
              volatileFunction: "random_id",
            }),
            cacheStatementOf("select * from events where id = 1 for update", 9000, 900, hot),
          ],
        }),
      ),
    ).toEqual([]);
  });
});
