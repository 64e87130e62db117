import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { partitionCatchAll, rangeBound } from "./partition-catch-all.js";

beforeAll(() => loadSqlParser());

describe("health/partition-catch-all", () => {
  it.each(["pg15", "pg18"] as const)(
    "reports the DEFAULT partition holding most rows, with the ranges to split it into (%s)",
    (version) => {
      const findings = healthFindings(partitionCatchAll, version, { snapshot: partitionSnapshot(version) });
      expect(findings).toHaveLength(1);
      expect(findings[0]?.evidence).toMatchObject({
        table: "rental",
        partition: "rental_default",
        bound: "DEFAULT",
        rows: 7000,
        tableRows: 10000,
        share: 0.7,
      });
      expect(findings[0]?.title).toBe(
        "rental_default, the DEFAULT partition of rental, holds 70% of its rows",
      );
      const fix = String(findings[0]?.fix?.sql);
      // The default partition's rows run from 2019-01-01 to 2023-12-05: five yearly partitions like the others.
      checkSql(fix, 2 + 5 * 4);
      expect(fix).toContain("CREATE TABLE rental_2019 (LIKE rental INCLUDING DEFAULTS);");
      expect(fix).toContain(
        "INSERT INTO rental_2019 (rental_id, rented_at, customer_id, language_id, amount, staff_id) SELECT rental_id, rented_at, customer_id, language_id, amount, staff_id FROM rental_default WHERE rented_at >= '2019-01-01' AND rented_at < '2020-01-01';",
      );
      expect(fix).toContain(
        "ALTER TABLE rental ATTACH PARTITION rental_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');",
      );
      expect(fix).not.toContain("rental_2024 (LIKE");
    },
  );

  it("stays quiet under maxShare, and caps the partitions it creates", () => {
    const snapshot = partitionSnapshot("pg15");
    expect(healthFindings(partitionCatchAll, "pg15", { snapshot, options: { maxShare: 0.75 } })).toEqual([]);
    const [capped] = healthFindings(partitionCatchAll, "pg15", {
      snapshot,
      options: { maxNewPartitions: 2 },
    });
    expect(String(capped?.fix?.sql).match(/CREATE TABLE/g)).toHaveLength(2);
    expect(capped?.fix?.note).toContain("Only the first 2 ranges");
  });

  it("splits a MAXVALUE partition by detaching it and attaching it again past the new ranges", () => {
    const base = partitionSnapshot("pg15");
    const snapshot: Snapshot = {
      ...base,
      tables: base.tables.map((t) =>
        t.name === "rental_default"
          ? { ...t, partitionBound: "FOR VALUES FROM ('2017-01-01') TO (MAXVALUE)" }
          : t,
      ),
    };
    const [finding] = healthFindings(partitionCatchAll, "pg15", { snapshot });
    expect(finding?.title).toContain("partition open to MAXVALUE");
    const statements = String(finding?.fix?.sql).split("\n");
    expect(statements[2]).toBe("ALTER TABLE rental DETACH PARTITION rental_default;");
    expect(statements.at(-2)).toBe(
      "ALTER TABLE rental ATTACH PARTITION rental_default FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);",
    );
  });

  it("reads one-column range bounds, quoted values with commas and parentheses included", () => {
    expect(rangeBound("FOR VALUES FROM ('a,(b)') TO (MAXVALUE)")).toEqual({ from: "a,(b)", to: "MAXVALUE" });
    expect(rangeBound("FOR VALUES FROM (1) TO (100)")).toEqual({ from: "1", to: "100" });
    expect(rangeBound("DEFAULT")).toBe("default");
    expect(rangeBound("FOR VALUES IN (1, 2)")).toBeNull();
  });
});
