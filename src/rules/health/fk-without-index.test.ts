import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../../test/fixtures/partitions/partition-snapshot.js";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { checkSql } from "../../util/sql-text.js";
import { fkWithoutIndex } from "./fk-without-index.js";

beforeAll(() => loadSqlParser());

describe("health/fk-without-index", () => {
  it.each(["pg15", "pg18"] as const)("finds invoices.account_id and writes its index (%s)", (version) => {
    const [finding] = healthFindings(fkWithoutIndex, version);
    expect(finding?.evidence).toMatchObject({
      constraint: "invoices_account_id_fkey",
      columns: "account_id",
      referencedTable: "accounts",
    });
    expect(Number(finding?.evidence.referencedDeletesAndUpdates)).toBeGreaterThan(0);
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON invoices (account_id);");
  });

  it("accepts a primary key or index whose leading columns are the foreign key", () => {
    // orders.customer_id has its own index; order_items.order_id leads the primary key (order_id, line).
    expect(
      healthFindings(fkWithoutIndex, "pg18", { snapshot: captureSnapshot("pg18") }).map(
        (f) => f.evidence.constraint,
      ),
    ).toEqual(["order_items_product_id_fkey"]);
  });

  it.each(["pg15", "pg18"] as const)(
    "reports a foreign key of a partitioned table once, on the parent, with the partitions summed (%s)",
    (version) => {
      const findings = healthFindings(fkWithoutIndex, version, { snapshot: partitionSnapshot(version) });
      const customer = findings.filter((f) => f.evidence.constraint === "rental_customer_id_fkey");
      expect(customer).toHaveLength(1);
      expect(customer[0]?.evidence).toMatchObject({
        table: "rental",
        referencingRows: 10000,
        partitionsWithoutIndex: 4,
        referencedDeletesAndUpdates: 10,
        demotedBecause: null,
      });
      expect(customer[0]?.severity).toBe("warning");
      const fix = String(customer[0]?.fix?.sql);
      checkSql(fix, 9);
      expect(fix.split("\n")).toEqual([
        "CREATE INDEX rental_customer_id_idx ON ONLY rental (customer_id);",
        "CREATE INDEX CONCURRENTLY rental_2024_customer_id_idx ON rental_2024 (customer_id);",
        "ALTER INDEX public.rental_customer_id_idx ATTACH PARTITION public.rental_2024_customer_id_idx;",
        "CREATE INDEX CONCURRENTLY rental_2025_customer_id_idx ON rental_2025 (customer_id);",
        "ALTER INDEX public.rental_customer_id_idx ATTACH PARTITION public.rental_2025_customer_id_idx;",
        "CREATE INDEX CONCURRENTLY rental_2026_customer_id_idx ON rental_2026 (customer_id);",
        "ALTER INDEX public.rental_customer_id_idx ATTACH PARTITION public.rental_2026_customer_id_idx;",
        "CREATE INDEX CONCURRENTLY rental_default_customer_id_idx ON rental_default (customer_id);",
        "ALTER INDEX public.rental_customer_id_idx ATTACH PARTITION public.rental_default_customer_id_idx;",
      ]);
    },
  );

  it("keeps a foreign key to a small lookup table at info, and says why", () => {
    const findings = healthFindings(fkWithoutIndex, "pg15", { snapshot: partitionSnapshot("pg15") });
    const language = findings.filter((f) => f.evidence.constraint === "rental_language_id_fkey");
    expect(language).toHaveLength(1);
    expect(language[0]?.severity).toBe("info");
    expect(language[0]?.impact).toBe(0);
    expect(String(language[0]?.evidence.demotedBecause)).toContain("language is a lookup table of 1 page");
    expect(language[0]?.detail).toContain("Kept at info");
  });

  it("keeps a table with no deletes or updates over enough days of statistics at info; not a young one", () => {
    const base = partitionSnapshot("pg15");
    const grown = (pages: number, startedDaysAgo: number): Snapshot => ({
      ...base,
      server: {
        ...base.server,
        startedAt: new Date(Date.parse(base.capturedAt) - startedDaysAgo * 86_400_000).toISOString(),
      },
      tables: base.tables.map((t) => (t.name === "language" ? { ...t, sizeBytes: pages * 8192, pages } : t)),
    });
    const language = (s: Snapshot) =>
      healthFindings(fkWithoutIndex, "pg15", { snapshot: s }).find(
        (f) => f.evidence.constraint === "rental_language_id_fkey",
      );
    expect(String(language(grown(500, 30))?.evidence.demotedBecause)).toContain(
      "no deletes or updates in 30 days",
    );
    expect(language(grown(500, 1))?.evidence.demotedBecause).toBeNull();
  });

  it("attaches a partition's matching index instead of building a second one", () => {
    const base = partitionSnapshot("pg15");
    const pkey = base.indexes.find((i) => i.name === "rental_2024_staff");
    if (!pkey) throw new Error("fixture without rental_2024_staff");
    const snapshot: Snapshot = {
      ...base,
      indexes: [...base.indexes, { ...pkey, name: "by_customer", columns: ["customer_id"], oid: 1 }],
    };
    const fix = String(
      healthFindings(fkWithoutIndex, "pg15", { snapshot }).find(
        (f) => f.evidence.constraint === "rental_customer_id_fkey",
      )?.fix?.sql,
    );
    expect(fix).not.toContain("ON rental_2024 ");
    expect(fix).toContain("ATTACH PARTITION public.by_customer;");
  });
});
