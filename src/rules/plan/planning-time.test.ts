import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { planningTime } from "./planning-time.js";

describe("plan/planning-time", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds a ten-way join that plans longer than it runs (%s)",
    (version) => {
      const [finding] = planRuleFindings(planningTime, version, "planning-heavy");
      expect(Number(finding?.evidence.planningMs)).toBeGreaterThan(Number(finding?.evidence.executionMs));
      expect(Number(finding?.evidence.relationScans)).toBeGreaterThanOrEqual(2);
    },
  );

  it("is quiet when execution dominates", () => {
    expect(planRuleFindings(planningTime, "pg18", "hash-join-batches")).toEqual([]);
  });
});
