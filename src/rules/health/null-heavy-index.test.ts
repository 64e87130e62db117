import { describe, expect, it } from "vitest";
import { partitionSnapshot, withRentalIndex } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { nullHeavyIndex } from "./null-heavy-index.js";

describe("health/null-heavy-index", () => {
  it.each(["pg15", "pg18"] as const)("suggests a partial index for a 90%-NULL column (%s)", (version) => {
    const [finding] = healthFindings(nullHeavyIndex, version, { options: { minBytes: 0 } });
    expect(finding?.evidence).toMatchObject({ index: "accounts_nickname", column: "nickname" });
    expect(Number(finding?.evidence.nullFrac)).toBeGreaterThan(0.85);
    expect(finding?.fix?.sql).toMatch(
      /^CREATE INDEX CONCURRENTLY accounts_nickname_not_null ON accounts USING btree \(nickname\) WHERE nickname IS NOT NULL;/,
    );
  });

  it("ignores small indexes by default", () => {
    expect(healthFindings(nullHeavyIndex, "pg18")).toEqual([]);
  });
});

describe("health/null-heavy-index on a partitioned table", () => {
  it("reports the parent's index once and rebuilds it with the ON ONLY / CONCURRENTLY / ATTACH recipe", async () => {
    await loadSqlParser();
    const base = withRentalIndex(partitionSnapshot("pg15"), "nh", ["language_id"]);
    const template = base.columnStats[0];
    if (!template) throw new Error("partition fixture without column statistics");
    const mostlyNull = (table: string) => ({ ...template, table, column: "language_id", nullFrac: 0.98 });
    const snapshot: Snapshot = {
      ...base,
      columnStats: [
        ...base.columnStats,
        mostlyNull("rental"),
        mostlyNull("rental_2024"),
        mostlyNull("rental_default"),
      ],
    };
    const findings = healthFindings(nullHeavyIndex, "pg15", { snapshot, options: { minBytes: 0 } });
    expect(findings.map((f) => f.evidence.index)).toEqual(["nh"]);
    const statements = String(findings[0]?.fix?.sql).split("\n");
    expect(statements[0]).toBe(
      "CREATE INDEX nh_not_null ON ONLY rental USING btree (language_id) WHERE language_id IS NOT NULL;",
    );
    expect(statements[1]).toBe(
      "CREATE INDEX CONCURRENTLY rental_2024_nh_not_null ON rental_2024 USING btree (language_id) WHERE language_id IS NOT NULL;",
    );
    expect(statements[2]).toBe(
      "ALTER INDEX public.nh_not_null ATTACH PARTITION public.rental_2024_nh_not_null;",
    );
    expect(statements.at(-1)).toBe("DROP INDEX nh;");
    checkSql(statements.join("\n"), 10);
  });
});
