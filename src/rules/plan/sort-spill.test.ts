import { describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings, workloadSnapshot } from "../../../test/support/rule-harness.js";
import { sortSpill } from "./sort-spill.js";

describe("plan/sort-spill", () => {
  it.each(["pg15", "pg18"] as const)("finds the external merge and sizes work_mem (%s)", (version) => {
    const [finding] = planRuleFindings(sortSpill, version, "sort-spill-offset");
    expect(finding?.evidence).toMatchObject({
      sortKey: "total DESC, id",
      sortMethod: "external merge",
      measuredBy: "EXPLAIN ANALYZE",
    });
    expect(Number(finding?.evidence.diskKB)).toBeGreaterThan(7000);
    expect(finding?.fix?.sql).toBe(
      "SET work_mem = '16MB';\n-- or avoid the sort:\nCREATE INDEX CONCURRENTLY ON orders (total DESC, id);",
    );
  });

  it("counts what parallel workers spilled", () => {
    const [finding] = planRuleFindings(sortSpill, "pg18", "gather-merge");
    expect(finding?.evidence.workers).toBe(2);
  });

  it("takes the spill from pg_stat_statements when the plan is a generic one", () => {
    const workload = workloadSnapshot("pg18");
    const statement = workload.workload.statements.find((s) => s.query.includes("order by total desc"));
    expect(statement?.tempBlksWritten).toBeGreaterThan(0);
    const generic = `Limit  (cost=50847.40..50847.45 rows=20 width=14)
  ->  Sort  (cost=50847.40..51597.40 rows=300000 width=14)
        Sort Key: total DESC, id
        ->  Seq Scan on orders  (cost=0.00..8173.00 rows=300000 width=14)`;
    const [finding] = planTextFindings(sortSpill, generic, null, statement);
    expect(finding?.evidence).toMatchObject({ measuredBy: "pg_stat_statements", sortKey: "total DESC, id" });
    expect(finding?.title).toMatch(/spills about 7\.\d MB to disk per call/);
    // Without a spill on record, a generic plan's sort is not reported.
    expect(planTextFindings(sortSpill, generic, null, null)).toEqual([]);
  });

  it("is quiet for in-memory sorts", () => {
    expect(planRuleFindings(sortSpill, "pg18", "distinct-on-unique")).toEqual([]);
  });
});
