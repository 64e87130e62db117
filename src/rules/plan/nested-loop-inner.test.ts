import { beforeAll, describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { nestedLoopInner } from "./nested-loop-inner.js";

beforeAll(loadSqlParser);

describe("plan/nested-loop-inner", () => {
  it.each(["pg15", "pg18"] as const)("finds 10,000 inner index scans (%s)", (version) => {
    const [finding] = planRuleFindings(nestedLoopInner, version, "nested-loop-many-loops");
    expect(finding?.evidence).toMatchObject({ loops: 10000 });
    expect(finding?.fix?.note).toMatch(/hash join may win/);
  });

  it("asks for an index when the inner side is a sequential scan", () => {
    const text = `Nested Loop  (cost=0.00..99999.00 rows=10 width=8) (actual time=0.1..900.0 rows=5000 loops=1)
  ->  Seq Scan on a  (cost=0.00..10.00 rows=10 width=4) (actual time=0.01..1.0 rows=5000 loops=1)
  ->  Seq Scan on b  (cost=0.00..20.00 rows=1 width=4) (actual time=0.05..0.17 rows=1 loops=5000)
        Filter: (a_id = a.id)
        Rows Removed by Filter: 999`;
    const [finding] = planTextFindings(nestedLoopInner, text);
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON b (a_id);");
  });

  it("counts a Memoize's cache misses as the runs, not its loops (captured on PostgreSQL 15)", () => {
    // 50,000 loops of Memoize, 49,990 cache hits: the index was read 10 times, too few to report at any share.
    expect(
      planRuleFindings(nestedLoopInner, "pg15", "memoize-mostly-hits", { options: { minShare: 0 } }),
    ).toEqual([]);
    const [finding] = planRuleFindings(nestedLoopInner, "pg15", "nested-loop-memoize", {
      options: { minShare: 0 },
    });
    expect(finding?.title).toBe("Nested Loop runs Index Scan using products_pkey on products p 2,000 times");
    expect(finding?.evidence).toMatchObject({
      loops: 2000,
      innerLoops: 15000,
      cacheHits: 13000,
      cacheMisses: 2000,
    });
    expect(finding?.detail).toMatch(
      /Memoize answered 13,000 of its 15,000 loops from its cache \(87% hits\)/,
    );
    expect(finding?.fix?.note).toMatch(/^Each run is an index lookup/);
  });

  it("says a Materialize's loops re-read its stored rows, not index lookups", () => {
    const text = `Nested Loop  (cost=0.00..99999.00 rows=10 width=8) (actual time=0.1..900.0 rows=5000 loops=1)
  Join Filter: (a.x < b.y)
  ->  Seq Scan on a  (cost=0.00..10.00 rows=5000 width=4) (actual time=0.01..1.0 rows=5000 loops=1)
  ->  Materialize  (cost=0.00..20.00 rows=100 width=4) (actual time=0.0..0.15 rows=100 loops=5000)
        ->  Seq Scan on b  (cost=0.00..20.00 rows=100 width=4) (actual time=0.05..0.17 rows=100 loops=1)`;
    const [finding] = planTextFindings(nestedLoopInner, text);
    expect(finding?.title).toBe("Nested Loop re-reads Materialize 5,000 times");
    expect(finding?.fix?.note).toMatch(/re-reads every stored row/);
    expect(finding?.fix?.note).not.toMatch(/index lookup/);
  });

  it("is quiet for a cheap nested loop", () => {
    expect(planRuleFindings(nestedLoopInner, "pg18", "never-executed")).toEqual([]);
  });
});
