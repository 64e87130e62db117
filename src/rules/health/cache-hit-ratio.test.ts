import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { cacheHitRatio } from "./cache-hit-ratio.js";

describe("health/cache-hit-ratio", () => {
  it.each(["pg15", "pg18"] as const)("reports the hit ratio with the blocks behind it (%s)", (version) => {
    const [finding] = healthFindings(cacheHitRatio, version, { options: { minRatio: 1.01, minReads: 0 } });
    expect(Number(finding?.evidence.hitRatio)).toBeGreaterThan(0.5);
    expect(Number(finding?.evidence.blocksHit)).toBeGreaterThan(0);
  });

  it("is quiet for a well-cached database", () => {
    expect(healthFindings(cacheHitRatio, "pg18", { options: { minRatio: 0 } })).toEqual([]);
  });
});
