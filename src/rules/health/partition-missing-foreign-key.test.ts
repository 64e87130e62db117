import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { partitionMissingForeignKey } from "./partition-missing-foreign-key.js";

beforeAll(() => loadSqlParser());

describe("health/partition-missing-foreign-key", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the partition its siblings' foreign key missed (%s)",
    (version) => {
      const findings = healthFindings(partitionMissingForeignKey, version, {
        snapshot: partitionSnapshot(version),
      });
      // The parent's own foreign keys (customer, language) reach every partition: only the hand-made one counts.
      expect(findings).toHaveLength(1);
      expect(findings[0]?.evidence).toMatchObject({
        table: "rental",
        definition: "FOREIGN KEY (staff_id) REFERENCES staff(id)",
        partitions: "rental_default",
        partitionsOf: 4,
        rows: 7000,
      });
      const fix = String(findings[0]?.fix?.sql);
      checkSql(fix, 2);
      expect(fix.split("\n")).toEqual([
        "ALTER TABLE rental_default ADD CONSTRAINT rental_default_staff_fk FOREIGN KEY (staff_id) REFERENCES staff(id) NOT VALID;",
        "ALTER TABLE rental_default VALIDATE CONSTRAINT rental_default_staff_fk;",
      ]);
    },
  );

  it("says nothing when only half of the partitions have it", () => {
    const base = partitionSnapshot("pg15");
    const snapshot: Snapshot = {
      ...base,
      constraints: base.constraints.filter((c) => c.name !== "rental_2026_staff_fk"),
    };
    expect(healthFindings(partitionMissingForeignKey, "pg15", { snapshot })).toEqual([]);
  });
});
