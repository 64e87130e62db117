import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { jitOverhead } from "./jit-overhead.js";

describe("plan/jit-overhead", () => {
  it("finds JIT compilation that costs a large share of the run", () => {
    const [finding] = planRuleFindings(jitOverhead, "pg15", "jit");
    expect(Number(finding?.evidence.share)).toBeGreaterThan(0.1);
    expect(finding?.fix?.sql).toMatch(/^ALTER SYSTEM SET jit_above_cost = \d+;/);
  });

  it("is quiet without JIT", () => {
    expect(planRuleFindings(jitOverhead, "pg15", "seq-scan-filter")).toEqual([]);
  });
});
