import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { fkTypeMismatch } from "./fk-type-mismatch.js";

beforeAll(() => loadSqlParser());

describe("health/fk-type-mismatch", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the smallint column referencing an integer key, with the range used (%s)",
    (version) => {
      const findings = healthFindings(fkTypeMismatch, version, { snapshot: partitionSnapshot(version) });
      // rental.language_id is smallint like language.id: not a mismatch. The partitions' copies are not repeated.
      expect(findings).toHaveLength(1);
      expect(findings[0]?.evidence).toMatchObject({
        table: "rental",
        column: "customer_id",
        columnType: "smallint",
        keyType: "integer",
        largestKey: 12124,
        rangeUsed: 0.37,
      });
      expect(findings[0]?.title).toBe(
        "rental.customer_id is smallint but references customer.id (integer): 37% of smallint's range used",
      );
      expect(findings[0]?.severity).toBe("warning");
      expect(findings[0]?.fix?.sql).toBe("ALTER TABLE rental ALTER COLUMN customer_id TYPE integer;");
      expect(findings[0]?.fix?.note).toContain("ACCESS EXCLUSIVE");
    },
  );

  it("grows with the share of the range used, and suggests the online way on a large table", () => {
    const base = partitionSnapshot("pg15");
    const at = (value: number): Snapshot => ({
      ...base,
      sequences: base.sequences.map((s) => (s.name === "customer_id_seq" ? { ...s, lastValue: value } : s)),
    });
    const severity = (value: number) =>
      healthFindings(fkTypeMismatch, "pg15", { snapshot: at(value) })[0]?.severity;
    expect(severity(5_000)).toBe("info");
    expect(severity(20_000)).toBe("warning");
    expect(severity(30_000)).toBe("error");
    const [large] = healthFindings(fkTypeMismatch, "pg15", {
      snapshot: base,
      options: { onlineFromRows: 100 },
    });
    expect(large?.fix?.note).toContain("backfill it in batches");
  });

  it("reports a key of another type family, cast on every join", () => {
    const base = partitionSnapshot("pg15");
    const snapshot: Snapshot = {
      ...base,
      tables: base.tables.map((t) =>
        t.name === "customer"
          ? { ...t, columns: t.columns.map((c) => (c.name === "id" ? { ...c, type: "numeric(10,0)" } : c)) }
          : t,
      ),
    };
    const [finding] = healthFindings(fkTypeMismatch, "pg15", { snapshot });
    expect(finding?.title).toContain("of another type (numeric(10,0))");
    expect(finding?.severity).toBe("warning");
    expect(finding?.fix?.sql).toBe(
      "ALTER TABLE rental ALTER COLUMN customer_id TYPE numeric(10,0) USING customer_id::numeric(10,0);",
    );
  });

  it("groups every mismatched key column into one item, worst first, one ALTER TABLE per table", () => {
    const base = partitionSnapshot("pg15");
    // language.id widened to integer: rental.language_id (smallint) now references a wider key too.
    const snapshot: Snapshot = {
      ...base,
      tables: base.tables.map((t) =>
        t.name === "language"
          ? { ...t, columns: t.columns.map((c) => (c.name === "id" ? { ...c, type: "integer" } : c)) }
          : t,
      ),
    };
    const findings = healthFindings(fkTypeMismatch, "pg15", { snapshot });
    expect(findings).toHaveLength(1);
    const [grouped] = findings;
    expect(grouped?.evidence).toMatchObject({
      columns: 2,
      tables: 1,
      column: "customer_id",
      rangeUsed: 0.37,
    });
    expect(grouped?.severity).toBe("warning");
    expect(grouped?.title).toMatch(
      /^2 foreign-key columns in 1 table of another type than their keys \(1 warning, 1 info\); worst: rental\.customer_id/,
    );
    expect(grouped?.detail.indexOf("rental.customer_id")).toBeLessThan(
      grouped?.detail.indexOf("rental.language_id") ?? -1,
    );
    expect(grouped?.fix?.sql).toBe(
      "ALTER TABLE rental ALTER COLUMN customer_id TYPE integer, ALTER COLUMN language_id TYPE integer;",
    );
    expect(grouped?.fix?.note).toContain("rewritten once");
  });
});
