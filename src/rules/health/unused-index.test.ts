import { describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { unusedIndex } from "./unused-index.js";

describe("health/unused-index", () => {
  it.each(["pg15", "pg18"] as const)(
    "lists unscanned indexes by size, never constraint indexes (%s)",
    (version) => {
      const findings = healthFindings(unusedIndex, version);
      const names = findings.map((f) => f.evidence.index);
      expect(names).toEqual(
        expect.arrayContaining(["accounts_email_a", "accounts_plan_created", "accounts_nickname"]),
      );
      expect(names.some((n) => String(n).endsWith("_pkey"))).toBe(false);
    },
  );

  it("stays a hint while the statistics are young, and says how young", () => {
    const [finding] = healthFindings(unusedIndex, "pg18");
    expect(finding?.severity).toBe("info");
    expect(finding?.detail).toMatch(/The statistics are only \d+ (second|minute|hour)s? old/);
    const grown = healthFindings(unusedIndex, "pg18", { options: { minStatsDays: 0 } });
    expect(grown[0]?.detail).not.toMatch(/only/);
  });

  it("judges a partitioned index once, by its partitions' scans summed, and drops it without CONCURRENTLY", async () => {
    await loadSqlParser();
    const base = partitionSnapshot("pg15");
    // rental_amount_idx made valid, as the partition-missing-index fix leaves it.
    const snapshot: Snapshot = {
      ...base,
      indexes: base.indexes.map((i) => (i.name === "rental_amount_idx" ? { ...i, isValid: true } : i)),
    };
    const findings = healthFindings(unusedIndex, "pg15", { snapshot, options: { minBytes: 0 } });
    const amount = findings.filter((f) => String(f.evidence.index).includes("amount"));
    expect(amount.map((f) => f.evidence.index)).toEqual(["rental_amount_idx"]);
    expect(amount[0]?.evidence.bytes).toBeGreaterThan(0);
    expect(amount[0]?.fix?.sql).toBe("DROP INDEX rental_amount_idx;");
    // Once a partition's index is scanned, the parent's index is in use.
    const scanned: Snapshot = {
      ...snapshot,
      indexes: snapshot.indexes.map((i) =>
        i.name === "rental_2025_amount_idx" && i.stats ? { ...i, stats: { ...i.stats, idxScan: 3 } } : i,
      ),
    };
    expect(
      healthFindings(unusedIndex, "pg15", { snapshot: scanned, options: { minBytes: 0 } }).filter((f) =>
        String(f.evidence.index).includes("amount"),
      ),
    ).toEqual([]);
  });
});
