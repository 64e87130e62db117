import { describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { correlatedSubplan } from "./correlated-subplan.js";

describe("plan/correlated-subplan", () => {
  it("finds a subquery run once per outer row", () => {
    const [finding] = planRuleFindings(correlatedSubplan, "pg18", "subplan-correlated");
    expect(finding?.evidence).toMatchObject({ subplan: "SubPlan 1", loops: 200 });
    // In the select list: the rewrite rule that writes the join.
    expect(finding?.evidence.rewriteRule).toBe("rewrite/scalar-subquery-to-lateral");
    expect(finding?.fix?.note).toMatch(/`dbopt rewrite` \(rule rewrite\/scalar-subquery-to-lateral\)/);
  });

  it("points a count compared with 0 in the filter to count-to-exists, and another comparison nowhere", () => {
    const plan = (
      filter: string,
    ) => `Seq Scan on customers c  (cost=0.00..90000.00 rows=133 width=8) (actual time=0.050..300.000 rows=200 loops=1)
  Filter: ${filter}
  Rows Removed by Filter: 200
  SubPlan 1
    ->  Aggregate  (cost=220.00..220.01 rows=1 width=8) (actual time=0.700..0.700 rows=1 loops=400)
          ->  Seq Scan on orders o  (cost=0.00..220.00 rows=1000 width=0) (actual time=0.001..0.600 rows=500 loops=400)
                Filter: (customer_id = c.id)
Planning Time: 0.100 ms
Execution Time: 300.100 ms`;
    for (const filter of ["((SubPlan 1) > 0)", "((SubPlan 1) = 0)", "(0 < (SubPlan 1))"]) {
      const [finding] = planTextFindings(correlatedSubplan, plan(filter));
      expect(finding?.evidence.rewriteRule, filter).toBe("rewrite/count-to-exists");
      expect(finding?.fix?.note, filter).toMatch(/rule rewrite\/count-to-exists/);
    }
    for (const filter of ["((SubPlan 1) > 1)", "(total > (SubPlan 1))"]) {
      const [finding] = planTextFindings(correlatedSubplan, plan(filter));
      expect(finding?.ruleId, filter).toBe("plan/correlated-subplan");
      expect(finding?.evidence.rewriteRule, filter).toBeUndefined();
      expect(finding?.fix?.note, filter).not.toMatch(/dbopt rewrite/);
    }
  });

  it("is quiet for a hashed subplan run once", () => {
    expect(planRuleFindings(correlatedSubplan, "pg18", "hashed-subplan")).toEqual([]);
  });
});
