import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { hashSpill } from "./hash-spill.js";

describe("plan/hash-spill", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds a hash join's batches and the work_mem that avoids them (%s)",
    (version) => {
      const [finding] = planRuleFindings(hashSpill, version, "hash-join-batches");
      expect(finding?.evidence).toMatchObject({ batches: 8, plannedBatches: 8 });
      expect(finding?.title).toMatch(/^Hash Join: hash split into 8 batches on disk$/);
      expect(finding?.fix?.sql).toMatch(/^SET work_mem = '\d+MB';$/);
    },
  );

  it("finds a hash aggregate that spilled", () => {
    const [finding] = planRuleFindings(hashSpill, "pg18", "hashagg-spill");
    expect(Number(finding?.evidence.batches)).toBeGreaterThan(1);
    expect(Number(finding?.evidence.diskKB)).toBeGreaterThan(0);
  });

  it("is quiet when the hash fits", () => {
    expect(planRuleFindings(hashSpill, "pg18", "values-function-projectset")).toEqual([]);
  });
});
