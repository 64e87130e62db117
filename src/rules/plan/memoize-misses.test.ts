import { describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { memoizeMisses } from "./memoize-misses.js";

describe("plan/memoize-misses", () => {
  it("finds a cache that mostly misses and evicts", () => {
    const text = `Nested Loop  (cost=0.30..500.00 rows=5000 width=8) (actual time=0.02..40.0 rows=5000 loops=1)
  ->  Seq Scan on a  (cost=0.00..80.00 rows=5000 width=4) (actual time=0.01..1.0 rows=5000 loops=1)
  ->  Memoize  (cost=0.30..0.32 rows=1 width=4) (actual time=0.005..0.006 rows=1 loops=5000)
        Cache Key: a.b_id
        Cache Mode: logical
        Hits: 400  Misses: 4600  Evictions: 3000  Overflows: 0  Memory Usage: 4097kB
        ->  Index Scan using b_pkey on b  (cost=0.29..0.31 rows=1 width=4) (actual time=0.004..0.004 rows=1 loops=4600)
              Index Cond: (id = a.b_id)`;
    const [finding] = planTextFindings(memoizeMisses, text);
    expect(finding?.evidence).toMatchObject({ hits: 400, misses: 4600, evictions: 3000, hitRatio: 0.08 });
  });

  it("is quiet for a cache that hits", () => {
    expect(planRuleFindings(memoizeMisses, "pg18", "nested-loop-memoize")).toEqual([]);
  });
});
