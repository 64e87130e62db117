import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { coldReads } from "./cold-reads.js";

describe("plan/cold-reads", () => {
  it("finds a scan that waits on disk reads (PostgreSQL 18 with small shared_buffers)", () => {
    const [finding] = planRuleFindings(coldReads, "pg18", "seq-scan-filter");
    expect(Number(finding?.evidence.blocksRead)).toBeGreaterThan(1000);
    expect(Number(finding?.evidence.share)).toBeGreaterThan(0.3);
  });

  it("is quiet when everything is in shared buffers", () => {
    expect(planRuleFindings(coldReads, "pg15", "seq-scan-filter")).toEqual([]);
  });
});
