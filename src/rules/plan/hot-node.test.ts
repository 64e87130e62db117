import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { defaultOptions } from "../rule.js";
import { hotNode } from "./hot-node.js";

describe("plan/hot-node", () => {
  it("names the node where most of the time goes", () => {
    const findings = planRuleFindings(hotNode, "pg15", "hashagg-spill");
    expect(findings[0]?.title).toMatch(/^HashAggregate takes .* \(\d+% of the time\)$/);
    expect(Number(findings[0]?.evidence.share)).toBeGreaterThan(0.3);
  });

  it("uses the estimated cost for plans that were not run", () => {
    const [finding] = planRuleFindings(hotNode, "pg18", "estimate-only");
    expect(finding?.title).toMatch(/of the estimated cost$/);
  });

  it("reports nothing for a plan with no dominant node", () => {
    expect(planRuleFindings(hotNode, "pg18", "values-function-projectset")).toEqual([]);
  });

  it("gives the plan's per-loop rows over several loops, and their total as approximate", () => {
    // PostgreSQL 15 rounds 0.9 rows per loop to 1: 50,000 loops returned 45,000 rows, not 50,000.
    const text = `Nested Loop  (cost=0.30..1976.12 rows=50000 width=18) (actual time=0.027..100.0 rows=45000 loops=1)
  ->  Seq Scan on a  (cost=0.00..722.00 rows=50000 width=8) (actual time=0.009..5.0 rows=50000 loops=1)
  ->  Memoize  (cost=0.30..0.39 rows=1 width=10) (actual time=0.001..0.001 rows=1 loops=50000)
        Cache Key: a.k
        Cache Mode: logical
        Hits: 49990  Misses: 10  Evictions: 0  Overflows: 0  Memory Usage: 2kB
        ->  Index Scan using b_pkey on b  (cost=0.29..0.38 rows=1 width=10) (actual time=0.002..0.002 rows=1 loops=10)
              Index Cond: (id = a.k)`;
    const findings = hotNode.check(
      { analyzed: analyzePlan(parsePlan(text)), snapshot: null, statement: null },
      { ...defaultOptions(hotNode), minShare: 0.05 },
    );
    const memoize = findings.find((f) => f.evidence.node === "Memoize");
    expect(memoize?.evidence).toMatchObject({ loops: 50000, rowsPerLoop: 1, rowsAbout: 50000 });
    expect(memoize?.evidence.rows).toBeUndefined();
    expect(findings.find((f) => f.evidence.node === "Nested Loop")?.evidence.rows).toBe(45000);
  });
});
