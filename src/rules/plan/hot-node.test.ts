import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
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
});
