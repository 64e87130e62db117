import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { parallelWorkersShort } from "./parallel-workers-short.js";

describe("plan/parallel-workers-short", () => {
  it.each(["pg15", "pg18"] as const)("finds a Gather that got fewer workers than planned (%s)", (version) => {
    const [finding] = planRuleFindings(parallelWorkersShort, version, "parallel-workers-short");
    expect(finding?.evidence).toMatchObject({ workersPlanned: 2, workersLaunched: 1 });
  });

  it("is quiet when every planned worker started", () => {
    expect(planRuleFindings(parallelWorkersShort, "pg18", "parallel-aggregate-verbose")).toEqual([]);
  });
});
