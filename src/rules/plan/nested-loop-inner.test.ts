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

  it("is quiet for a cheap nested loop", () => {
    expect(planRuleFindings(nestedLoopInner, "pg18", "never-executed")).toEqual([]);
  });
});
