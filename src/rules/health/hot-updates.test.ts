import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { hotUpdates } from "./hot-updates.js";

describe("health/hot-updates", () => {
  it.each(["pg15", "pg18"] as const)("finds updates that change an indexed column (%s)", (version) => {
    const [finding] = healthFindings(hotUpdates, version);
    expect(finding?.evidence).toMatchObject({ table: "counters", updates: 20000, hotUpdates: 0 });
  });

  it("on 16+ tells a full page from an indexed-column update", () => {
    const [finding] = healthFindings(hotUpdates, "pg18");
    expect(finding?.evidence.newPageUpdates).not.toBeNull();
    expect(healthFindings(hotUpdates, "pg15")[0]?.evidence.newPageUpdates).toBeNull();
  });
});
