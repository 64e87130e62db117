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

  it("is quiet for plain VACUUM and REINDEX CONCURRENTLY", async () => {
    expect(
      await lintSql(tableRewriteMaintenance, "vacuum analyze orders;\nreindex table concurrently orders;"),
    ).toEqual([]);
  });
});
