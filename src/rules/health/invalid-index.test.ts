import { describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { invalidIndex } from "./invalid-index.js";

describe("health/invalid-index", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the index a failed unique CONCURRENTLY build left (%s)",
    (version) => {
      const [finding] = healthFindings(invalidIndex, version);
      expect(finding?.evidence).toMatchObject({ index: "audit_message_unique", unique: true });
      expect(finding?.fix?.sql).toBe(
        "DROP INDEX CONCURRENTLY audit_message_unique;\nCREATE UNIQUE INDEX CONCURRENTLY audit_message_unique ON public.audit_log USING btree (message);",
      );
    },
  );

  it("skips an index whose concurrent build is still running", () => {
    const snapshot = healthSnapshot("pg18");
    snapshot.activity.indexBuilds = [
      { pid: 1, table: "audit_log", index: "audit_message_unique", phase: "building index" },
    ];
    expect(healthFindings(invalidIndex, "pg18", { snapshot })).toEqual([]);
  });

  it("matches a running build by oid: a build of the same name in another schema does not hide this index", () => {
    const snapshot = healthSnapshot("pg18");
    const invalid = snapshot.indexes.find((i) => i.name === "audit_message_unique");
    if (!invalid) throw new Error("health fixture without audit_message_unique");
    const elsewhere = {
      pid: 1,
      table: "archive.audit_log",
      index: "archive.audit_message_unique",
      indexOid: invalid.oid + 1,
      phase: "building index",
    };
    snapshot.activity.indexBuilds = [elsewhere];
    expect(healthFindings(invalidIndex, "pg18", { snapshot }).map((f) => f.evidence.index)).toEqual([
      "audit_message_unique",
    ]);
    snapshot.activity.indexBuilds = [{ ...elsewhere, indexOid: invalid.oid }];
    expect(healthFindings(invalidIndex, "pg18", { snapshot })).toEqual([]);
  });

  it.each(["pg15", "pg18"] as const)(
    "leaves a partitioned parent's unfinished index to partition-missing-index (%s)",
    (version) => {
      const snapshot = partitionSnapshot(version);
      // rental_amount_idx was made ON ONLY rental and never attached on rental_2026: invalid, not broken.
      expect(snapshot.indexes.find((i) => i.name === "rental_amount_idx")?.isValid).toBe(false);
      expect(healthFindings(invalidIndex, version, { snapshot })).toEqual([]);
    },
  );
});
