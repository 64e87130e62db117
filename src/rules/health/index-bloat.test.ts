import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { btreeBloat } from "./bloat-estimate.js";
import { indexBloat } from "./index-bloat.js";

describe("health/index-bloat", () => {
  it.each(["pg15", "pg18"] as const)("finds the primary key left 90%% empty by deletes (%s)", (version) => {
    const findings = healthFindings(indexBloat, version, { options: { minBytes: 1024 * 1024 } });
    const pkey = findings.find((f) => f.evidence.index === "events_pkey");
    expect(Number(pkey?.evidence.ratio)).toBeGreaterThan(0.8);
    expect(pkey?.fix?.sql).toBe("REINDEX INDEX CONCURRENTLY events_pkey;");
  });

  it("estimates a freshly built index as not bloated", () => {
    const fresh = healthSnapshot("pg18").indexes.find((i) => i.name === "accounts_plan_created");
    expect(btreeBloat(fresh as NonNullable<typeof fresh>)?.ratio).toBeLessThan(0.25);
  });
});
