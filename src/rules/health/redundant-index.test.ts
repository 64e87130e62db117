import { describe, expect, it } from "vitest";
import { partitionSnapshot, withRentalIndex } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { redundantIndex } from "./redundant-index.js";

describe("health/redundant-index", () => {
  it.each(["pg15", "pg18"] as const)("finds (plan) covered by (plan, created_at) (%s)", (version) => {
    const findings = healthFindings(redundantIndex, version);
    expect(findings.map((f) => f.evidence.index)).toEqual(["accounts_plan"]);
    expect(findings[0]?.evidence.coveredBy).toBe("accounts_plan_created");
    expect(findings[0]?.fix?.sql).toBe("DROP INDEX CONCURRENTLY accounts_plan;");
  });

  it("never calls a primary key or unique index redundant", () => {
    const findings = healthFindings(redundantIndex, "pg18", { snapshot: captureSnapshot("pg18") });
    expect(findings.filter((f) => String(f.evidence.index).endsWith("_pkey"))).toEqual([]);
  });
});

describe("health/redundant-index on a partitioned table", () => {
  it("reports the parent's covered index once, not again for each partition's copy", () => {
    const base = partitionSnapshot("pg15");
    const snapshot = withRentalIndex(withRentalIndex(base, "r1", ["language_id"]), "r2", [
      "language_id",
      "amount",
    ]);
    const findings = healthFindings(redundantIndex, "pg15", { snapshot });
    expect(findings.map((f) => f.evidence.index)).toEqual(["r1"]);
  });
});
