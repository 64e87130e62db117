import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { tableRewriteMaintenance } from "./table-rewrite-maintenance.js";

describe("migration/table-rewrite-maintenance", () => {
  it("reports VACUUM FULL, CLUSTER and a blocking REINDEX", async () => {
    const findings = await lintSql(
      tableRewriteMaintenance,
      "vacuum full orders;\ncluster orders using orders_pkey;\nreindex table orders;",
    );
    expect(findings.map((f) => f.severity)).toEqual(["error", "error", "warning"]);
    expect(findings[2]?.fix?.sql).toBe("REINDEX TABLE CONCURRENTLY orders;");
  });

  it("reads (FULL false) as off and (CONCURRENTLY false) as on-blocking, as PostgreSQL does", async () => {
    expect(await lintSql(tableRewriteMaintenance, "vacuum (full false, analyze) orders;")).toEqual([]);
    expect(await lintSql(tableRewriteMaintenance, "vacuum (full off) orders;")).toEqual([]);
    expect(await lintSql(tableRewriteMaintenance, "vacuum (full) orders;")).toHaveLength(1);
    const [f] = await lintSql(tableRewriteMaintenance, 'reindex (concurrently false) index "Orders_Idx";');
    expect(f?.title).toBe("REINDEX INDEX Orders_Idx without CONCURRENTLY blocks writes");
    expect(f?.fix?.sql).toBe('REINDEX INDEX CONCURRENTLY "Orders_Idx";');
  });

  it("gives REINDEX SYSTEM no fix, since system catalogs cannot be reindexed concurrently", async () => {
    const [system] = await lintSql(tableRewriteMaintenance, "reindex system;");
    expect(system?.fix?.sql).toBeUndefined();
    expect(system?.fix?.note).toMatch(/System catalogs cannot be reindexed concurrently/);
    const [database] = await lintSql(tableRewriteMaintenance, 'reindex database "Shop";');
    expect(database?.fix?.sql).toBe('REINDEX DATABASE CONCURRENTLY "Shop";');
  });

  it("is quiet for plain VACUUM and REINDEX CONCURRENTLY", async () => {
    expect(
      await lintSql(
        tableRewriteMaintenance,
        "vacuum analyze orders;\nreindex table concurrently orders;\nreindex (concurrently true) index i;",
      ),
    ).toEqual([]);
  });
});
