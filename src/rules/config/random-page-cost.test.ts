import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { randomPageCost } from "./random-page-cost.js";

describe("config/random-page-cost", () => {
  it.each(["pg15", "pg18"] as const)("flags the spinning-disk default on SSD (%s)", (version) => {
    const [finding] = healthFindings(randomPageCost, version, { machine: { storage: "ssd" } });
    expect(finding?.severity).toBe("warning");
    expect(finding?.fix?.sql).toBe("ALTER SYSTEM SET random_page_cost = 1.1;\nSELECT pg_reload_conf();");
  });

  it("says nothing for hard disks", () => {
    expect(healthFindings(randomPageCost, "pg18", { machine: { storage: "hdd" } })).toEqual([]);
  });
});
