import { describe, expect, it } from "vitest";
import { partitionSnapshot, withRentalIndex } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { duplicateIndex } from "./duplicate-index.js";

describe("health/duplicate-index", () => {
  it.each(["pg15", "pg18"] as const)("finds two identical indexes and drops one (%s)", (version) => {
    const [finding] = healthFindings(duplicateIndex, version);
    expect(finding?.evidence.table).toBe("public.accounts");
    expect([finding?.evidence.keep, finding?.evidence.drop].sort()).toEqual([
      "accounts_email_a",
      "accounts_email_b",
    ]);
    expect(finding?.fix?.sql).toBe(`DROP INDEX CONCURRENTLY ${finding?.evidence.drop};`);
    expect(finding?.objects).toEqual(["public.accounts_email_a", "public.accounts_email_b"]);
  });

  it("does not confuse indexes that differ in order, operator class or predicate", () => {
    expect(healthFindings(duplicateIndex, "pg18", { snapshot: captureSnapshot("pg18") })).toEqual([]);
  });
});

describe("health/duplicate-index on a partitioned table", () => {
  it("reports twin indexes of the parent once, not again for each partition's copies", () => {
    const snapshot = withRentalIndex(withRentalIndex(partitionSnapshot("pg15"), "d1", ["amount"]), "d2", [
      "amount",
    ]);
    const findings = healthFindings(duplicateIndex, "pg15", { snapshot });
    expect(findings.map((f) => f.evidence.table)).toEqual(["public.rental"]);
  });
});
