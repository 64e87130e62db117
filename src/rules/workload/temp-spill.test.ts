import { describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import { defaultOptions } from "../rule.js";
import { tempSpill } from "./temp-spill.js";

describe("workload/temp-spill", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the statement that writes temporary files on every call (%s)",
    (version) => {
      const findings = tempSpill.check({ snapshot: workloadSnapshot(version) }, defaultOptions(tempSpill));
      expect(findings).toHaveLength(1);
      expect(findings[0]?.query).toMatch(/order by total desc, id offset \$1 limit \$2/);
      expect(Number(findings[0]?.evidence.tempBytesPerCall)).toBeGreaterThan(1024 * 1024);
      expect(findings[0]?.fix?.sql).toMatch(/^SET work_mem = '\d+MB';/);
    },
  );

  it("is quiet below its threshold", () => {
    const findings = tempSpill.check(
      { snapshot: workloadSnapshot("pg18") },
      { ...defaultOptions(tempSpill), minTempBytesPerCall: 1e12 },
    );
    expect(findings).toEqual([]);
  });
});
