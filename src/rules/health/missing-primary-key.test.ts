import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { missingPrimaryKey } from "./missing-primary-key.js";

describe("health/missing-primary-key", () => {
  it.each(["pg15", "pg18"] as const)("finds tables without a primary key (%s)", (version) => {
    const findings = healthFindings(missingPrimaryKey, version);
    expect(findings.map((f) => f.evidence.table).sort()).toEqual(["audit_log", "imports"]);
    expect(findings.find((f) => f.evidence.table === "imports")?.evidence.rows).toBe(50000);
  });

  it("is quiet when every table has one; a partitioned table without one is reported", () => {
    const findings = healthFindings(missingPrimaryKey, "pg18", { snapshot: captureSnapshot("pg18") });
    // events is partitioned with no key, nor have its partitions; this older snapshot lacks the partition key.
    expect(findings.map((f) => f.evidence.table)).toEqual(["events"]);
    expect(findings[0]?.fix).toBeUndefined();
  });
});

describe("health/missing-primary-key on partitioned tables", () => {
  beforeAll(() => loadSqlParser());

  it.each(["pg15", "pg18"] as const)(
    "reports a partitioned table without a key once, with a key that holds the partition key (%s)",
    (version) => {
      const findings = healthFindings(missingPrimaryKey, version, { snapshot: partitionSnapshot(version) });
      // rental has its key (its partitions inherit it); payment and its two partitions have none.
      expect(findings.map((f) => f.evidence.table)).toEqual(["payment"]);
      expect(findings[0]?.evidence).toMatchObject({
        rows: 2000,
        partitions: 2,
        partitionKey: "RANGE (paid_at)",
      });
      expect(findings[0]?.detail).toContain("must include the partition key column (paid_at)");
      const fix = String(findings[0]?.fix?.sql);
      checkSql(fix, 4);
      expect(fix).toContain("ALTER TABLE payment ADD PRIMARY KEY (id, paid_at);");
    },
  );

  it("turns a unique index of the partitioned table into the key with its own columns, not USING INDEX", () => {
    const base = partitionSnapshot("pg15");
    const unique = base.indexes.find((i) => i.name === "rental_pkey");
    if (!unique) throw new Error("fixture without rental_pkey");
    const snapshot: Snapshot = {
      ...base,
      indexes: [
        ...base.indexes,
        {
          ...unique,
          name: "payment_uk",
          table: "payment",
          columns: ["payment_id", "paid_at"],
          isPrimary: false,
          constraint: null,
        },
      ],
    };
    const [finding] = healthFindings(missingPrimaryKey, "pg15", { snapshot });
    expect(finding?.evidence.candidateIndex).toBe("payment_uk");
    expect(finding?.fix?.sql).toBe("ALTER TABLE payment ADD PRIMARY KEY (payment_id, paid_at);");
  });

  it("gives no statement for a table partitioned by an expression, and says why", () => {
    const base = partitionSnapshot("pg15");
    const snapshot: Snapshot = {
      ...base,
      tables: base.tables.map((t) =>
        t.name === "payment"
          ? { ...t, partitionKey: "RANGE (date_trunc('month', paid_at))", partitionKeyColumns: null }
          : t,
      ),
    };
    const [finding] = healthFindings(missingPrimaryKey, "pg15", { snapshot });
    expect(finding?.fix).toBeUndefined();
    expect(finding?.detail).toContain("partitioned by an expression");
  });
});
