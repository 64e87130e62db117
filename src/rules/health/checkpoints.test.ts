import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { checkpoints } from "./checkpoints.js";

describe("health/checkpoints", () => {
  it("reads pg_stat_bgwriter on 15 and pg_stat_checkpointer on 18", () => {
    const pg15 = healthFindings(checkpoints, "pg15", {
      options: { minCheckpoints: 1, maxRequestedShare: 0 },
    });
    const pg18 = healthFindings(checkpoints, "pg18", {
      options: { minCheckpoints: 1, maxRequestedShare: 0 },
    });
    expect(pg15[0]?.evidence.source).toBe("pg_stat_bgwriter");
    expect(pg18[0]?.evidence.source).toBe("pg_stat_checkpointer");
    expect(Number(pg18[0]?.evidence.requested)).toBeGreaterThanOrEqual(3);
  });

  it("is quiet while most checkpoints are timed", () => {
    expect(healthFindings(checkpoints, "pg18", { options: { maxRequestedShare: 1.01 } })).toEqual([]);
  });
});
