import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { correlatedSubplan } from "./correlated-subplan.js";

describe("plan/correlated-subplan", () => {
  it("finds a subquery run once per outer row", () => {
    const [finding] = planRuleFindings(correlatedSubplan, "pg18", "subplan-correlated");
    expect(finding?.evidence).toMatchObject({ subplan: "SubPlan 1", loops: 200 });
  });

  it("is quiet for a hashed subplan run once", () => {
    expect(planRuleFindings(correlatedSubplan, "pg18", "hashed-subplan")).toEqual([]);
  });
});
