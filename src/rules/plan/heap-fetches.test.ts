import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { heapFetches } from "./heap-fetches.js";

describe("plan/heap-fetches", () => {
  it.each(["pg15", "pg18"] as const)(
    "asks for VACUUM when an index-only scan visits the heap (%s)",
    (version) => {
      const [finding] = planRuleFindings(heapFetches, version, "index-only-heap-fetches");
      expect(finding?.evidence).toMatchObject({ heapFetches: 11406, rows: 11406, table: "orders" });
      expect(finding?.fix?.sql).toBe("VACUUM (ANALYZE) orders;");
    },
  );

  it("is quiet when the visibility map is current", () => {
    expect(planRuleFindings(heapFetches, "pg18", "subplan-correlated")).toEqual([]);
  });
});
