import { describe, expect, it } from "vitest";
import { planRuleFindings } from "../../../test/support/rule-harness.js";
import { cteRescanned } from "./cte-rescanned.js";

describe("plan/cte-rescanned", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds a materialized CTE whose scan discards all of it (%s)",
    (version) => {
      const [finding] = planRuleFindings(cteRescanned, version, "cte-scanned-twice");
      expect(finding?.evidence).toMatchObject({
        cte: "t",
        rowsMaterialized: 50000,
        scanNodes: 2,
        filter: "(n > 8)",
      });
      expect(finding?.fix?.note).toMatch(/NOT MATERIALIZED/);
      expect(finding?.evidence.rewriteRule).toBe("rewrite/cte-materialized");
      expect(finding?.fix?.note).toMatch(/`dbopt rewrite` \(rule rewrite\/cte-materialized\)/);
    },
  );

  it("is quiet for a recursive CTE read once", () => {
    expect(planRuleFindings(cteRescanned, "pg18", "recursive-cte")).toEqual([]);
  });
});
