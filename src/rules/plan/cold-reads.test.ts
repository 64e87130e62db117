import { describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { coldReads } from "./cold-reads.js";

describe("plan/cold-reads", () => {
  it("finds a scan that waits on disk reads (PostgreSQL 18 with small shared_buffers)", () => {
    // How long the reads took varies with the OS cache between captures: a low share keeps the test stable.
    const [finding] = planRuleFindings(coldReads, "pg18", "seq-scan-filter", { options: { minShare: 0.05 } });
    expect(Number(finding?.evidence.blocksRead)).toBeGreaterThan(1000);
  });

  it("reports the read time as a share of the statement", () => {
    const text = `Seq Scan on t  (cost=0.00..100.00 rows=10 width=4) (actual time=0.1..100.0 rows=10 loops=1)
  Buffers: shared read=5000
  I/O Timings: shared read=60.000
Execution Time: 100.000 ms`;
    const [finding] = planTextFindings(coldReads, text);
    expect(finding?.evidence).toMatchObject({ blocksRead: 5000, readMs: 60, share: 0.6 });
    expect(finding?.severity).toBe("warning");
  });

  it("is quiet when everything is in shared buffers", () => {
    expect(planRuleFindings(coldReads, "pg15", "seq-scan-filter")).toEqual([]);
  });
});
