import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { tableBloat } from "./bloat-estimate.js";
import { tableBloatCheck } from "./table-bloat.js";

describe("health/table-bloat", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds a table 90%% empty after a mass delete and vacuum (%s)",
    (version) => {
      const [finding] = healthFindings(tableBloatCheck, version);
      expect(finding?.evidence.table).toBe("events");
      expect(Number(finding?.evidence.ratio)).toBeGreaterThan(0.8);
    },
  );

  it("estimates a freshly loaded table close to its real size", () => {
    const accounts = healthSnapshot("pg18").tables.find((t) => t.name === "accounts");
    expect(tableBloat(accounts as NonNullable<typeof accounts>)?.ratio).toBeLessThan(0.15);
  });
});
