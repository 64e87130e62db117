import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { staleStatistics } from "./stale-statistics.js";

describe("health/stale-statistics", () => {
  it.each(["pg15", "pg18"] as const)("finds the table that was never analyzed (%s)", (version) => {
    const findings = healthFindings(staleStatistics, version);
    const imports = findings.find((f) => f.evidence.table === "imports");
    expect(imports?.evidence).toMatchObject({ lastAnalyze: null, liveTuples: 50000 });
    expect(imports?.fix?.sql).toBe("ANALYZE imports;");
  });

  it("is quiet for tables analyzed after their last change", () => {
    const tables = healthFindings(staleStatistics, "pg18").map((f) => f.evidence.table);
    expect(tables).not.toContain("accounts");
    expect(tables).not.toContain("events");
  });
});
