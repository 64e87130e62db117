import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { xidWraparound } from "./xid-wraparound.js";

describe("health/xid-wraparound", () => {
  it.each(["pg15", "pg18"] as const)(
    "reads every table's transaction-id age against the thresholds (%s)",
    (version) => {
      const findings = healthFindings(xidWraparound, version, {
        options: { warnAge: 1, errorAge: 1e12, warnMultixactAge: 1e12 },
      });
      expect(findings.length).toBeGreaterThan(5);
      expect(findings[0]?.evidence).toMatchObject({ kind: "transaction id", limit: 2144483647 });
      expect(findings[0]?.fix?.sql).toMatch(/^VACUUM \(FREEZE, VERBOSE\) /);
    },
  );

  it("is quiet for young tables at the default thresholds", () => {
    expect(healthFindings(xidWraparound, "pg18")).toEqual([]);
  });
});
