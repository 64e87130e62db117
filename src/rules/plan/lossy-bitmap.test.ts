import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { lossyBitmap } from "./lossy-bitmap.js";

describe("plan/lossy-bitmap", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds lossy heap blocks and sizes work_mem for an exact bitmap (%s)",
    (version) => {
      const [finding] = planRuleFindings(lossyBitmap, version, "lossy-bitmap");
      expect(Number(finding?.evidence.lossyBlocks)).toBeGreaterThan(0);
      expect(finding?.fix?.sql).toBe("SET work_mem = '1MB';");
    },
  );

  it("is quiet for exact bitmaps", () => {
    expect(planRuleFindings(lossyBitmap, "pg18", "bitmap-or")).toEqual([]);
  });
});
