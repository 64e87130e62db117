import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { notInSubquery } from "./not-in-subquery.js";

describe("plan/not-in-subquery", () => {
  it.each(["pg15", "pg18"] as const)("finds NOT IN (subquery) in both spellings (%s)", (version) => {
    const [finding] = planRuleFindings(notInSubquery, version, "hashed-subplan");
    expect(finding?.evidence.hashed).toBe(true);
    expect(finding?.fix?.note).toMatch(/NOT EXISTS/);
    // The rewrite rule that writes and proves this fix.
    expect(finding?.evidence.rewriteRule).toBe("rewrite/not-in-to-not-exists");
    expect(finding?.fix?.note).toMatch(/See `dbopt rewrite`/);
  });

  it("is quiet for other filters", () => {
    expect(planRuleFindings(notInSubquery, "pg18", "seq-scan-filter")).toEqual([]);
  });
});
