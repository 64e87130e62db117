import { describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import { defaultOptions } from "../rule.js";
import { heavyStatement } from "./heavy-statement.js";

describe("workload/heavy-statement", () => {
  it.each(["pg15", "pg18"] as const)("finds the statement that takes most of the time (%s)", (version) => {
    const findings = heavyStatement.check(
      { snapshot: workloadSnapshot(version) },
      { ...defaultOptions(heavyStatement), minTotalMs: 0 },
    );
    expect(findings[0]?.query).toMatch(/order by total desc, id offset/);
    expect(Number(findings[0]?.evidence.share)).toBeGreaterThan(0.5);
  });

  it("ignores statements that took little time in all", () => {
    expect(
      heavyStatement.check(
        { snapshot: workloadSnapshot("pg18") },
        { ...defaultOptions(heavyStatement), minTotalMs: 1e9 },
      ),
    ).toEqual([]);
  });
});
