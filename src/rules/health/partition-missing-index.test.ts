import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { partitionMissingIndex } from "./partition-missing-index.js";

beforeAll(() => loadSqlParser());

describe("health/partition-missing-index", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the partition the parent's index never reached (%s)",
    (version) => {
      const findings = healthFindings(partitionMissingIndex, version, {
        snapshot: partitionSnapshot(version),
      });
      const amount = findings.filter((f) => f.evidence.index === "rental_amount_idx");
      expect(amount).toHaveLength(1);
      expect(amount[0]?.evidence).toMatchObject({
        table: "rental",
        partitions: "rental_2026",
        onParent: true,
        parentIndexValid: false,
      });
      expect(amount[0]?.detail).toContain("stays invalid");
      const fix = String(amount[0]?.fix?.sql);
      checkSql(fix, 2);
      expect(fix.split("\n")).toEqual([
        "CREATE INDEX CONCURRENTLY rental_2026_amount_idx ON rental_2026 USING btree (amount);",
        "ALTER INDEX public.rental_amount_idx ATTACH PARTITION public.rental_2026_amount_idx;",
      ]);
    },
  );

  it.each(["pg15", "pg18"] as const)(
    "finds the partition missing an index its siblings were given by hand (%s)",
    (version) => {
      const findings = healthFindings(partitionMissingIndex, version, {
        snapshot: partitionSnapshot(version),
      });
      const staff = findings.filter((f) => String(f.evidence.index).endsWith("_staff"));
      expect(staff).toHaveLength(1);
      expect(staff[0]?.evidence).toMatchObject({
        table: "rental",
        partitions: "rental_default",
        partitionsLacking: 1,
        partitionsOf: 4,
        rows: 7000,
        onParent: false,
      });
      expect(staff[0]?.fix?.sql).toBe(
        "CREATE INDEX CONCURRENTLY rental_default_staff ON rental_default USING btree (staff_id);",
      );
      // Nothing else: the primary key reached every partition.
      expect(findings).toHaveLength(2);
    },
  );

  it("attaches an equal index the partition already has instead of building one", () => {
    const base = partitionSnapshot("pg15");
    const staff = base.indexes.find((i) => i.name === "rental_2026_staff");
    if (!staff) throw new Error("fixture without rental_2026_staff");
    const snapshot: Snapshot = {
      ...base,
      indexes: [...base.indexes, { ...staff, name: "amount by hand", usingClause: "btree (amount)", oid: 1 }],
    };
    const [amount] = healthFindings(partitionMissingIndex, "pg15", { snapshot }).filter(
      (f) => f.evidence.index === "rental_amount_idx",
    );
    expect(amount?.fix?.sql).toBe(
      'ALTER INDEX public.rental_amount_idx ATTACH PARTITION public."amount by hand";',
    );
  });

  it("adds the constraint when the siblings' index backs a unique key, and leaves an index on a few partitions alone", () => {
    const base = partitionSnapshot("pg15");
    const keyed = (name: string) =>
      name === "rental_2024_staff" || name === "rental_2025_staff" || name === "rental_2026_staff";
    const unique: Snapshot = {
      ...base,
      indexes: base.indexes.map((i) => (keyed(i.name) ? { ...i, isUnique: true, constraint: i.name } : i)),
    };
    const [finding] = healthFindings(partitionMissingIndex, "pg15", { snapshot: unique }).filter((f) =>
      String(f.evidence.index).endsWith("_staff"),
    );
    expect(finding?.severity).toBe("warning");
    expect(String(finding?.fix?.sql).split("\n")).toEqual([
      "CREATE UNIQUE INDEX CONCURRENTLY rental_default_staff ON rental_default USING btree (staff_id);",
      "ALTER TABLE rental_default ADD CONSTRAINT rental_default_staff UNIQUE USING INDEX rental_default_staff;",
    ]);
    const few: Snapshot = { ...base, indexes: base.indexes.filter((i) => i.name !== "rental_2026_staff") };
    expect(
      healthFindings(partitionMissingIndex, "pg15", { snapshot: few }).filter((f) =>
        String(f.evidence.index).endsWith("_staff"),
      ),
    ).toEqual([]);
  });
});
