import { describe, expect, it } from "vitest";
import { partitionSnapshot, withRentalIndex } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { captureSnapshot, healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
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

  it("keeps the primary key when a unique constraint repeats it, whatever the names' order", () => {
    const snapshot = healthSnapshot("pg15");
    const pkey = snapshot.indexes.find((i) => i.isPrimary && i.table === "accounts");
    if (!pkey) throw new Error("health fixture without a primary key on accounts");
    // accounts_id_key sorts before accounts_pkey: the name alone chose the primary key to drop.
    const twin = {
      ...pkey,
      oid: pkey.oid + 100_000,
      name: "accounts_id_key",
      isPrimary: false,
      constraint: "accounts_id_key",
      definition: pkey.definition.replace(pkey.name, "accounts_id_key"),
    };
    const findings = healthFindings(duplicateIndex, "pg15", {
      snapshot: { ...snapshot, indexes: [...snapshot.indexes, twin] },
    });
    const finding = findings.find(
      (f) => f.evidence.table === "public.accounts" && f.evidence.keep === pkey.name,
    );
    expect(finding?.evidence.drop).toBe("accounts_id_key");
    expect(finding?.fix?.sql).toContain("DROP CONSTRAINT accounts_id_key");
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
