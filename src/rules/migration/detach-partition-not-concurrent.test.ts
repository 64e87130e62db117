import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { detachPartitionNotConcurrent } from "./detach-partition-not-concurrent.js";

describe("migration/detach-partition-not-concurrent", () => {
  it("reports DETACH PARTITION without CONCURRENTLY, with the concurrent form and names quoted", async () => {
    const [f] = await lintSql(
      detachPartitionNotConcurrent,
      'alter table "Sales"."Events" detach partition "Sales"."events 2023";',
    );
    expect(f).toMatchObject({ severity: "warning", evidence: { lock: "AccessExclusiveLock" } });
    expect(f?.fix?.sql).toBe(
      'ALTER TABLE "Sales"."Events" DETACH PARTITION "Sales"."events 2023" CONCURRENTLY;',
    );
  });

  it("is quiet for CONCURRENTLY and FINALIZE, for new tables, and before PostgreSQL 14", async () => {
    expect(
      await lintSql(
        detachPartitionNotConcurrent,
        "alter table events detach partition events_2023 concurrently;\nalter table events detach partition events_2023 finalize;",
      ),
    ).toEqual([]);
    expect(
      await lintSql(
        detachPartitionNotConcurrent,
        "create table events (at date) partition by range (at);\nalter table events detach partition e1;",
      ),
    ).toEqual([]);
    expect(
      await lintSql(detachPartitionNotConcurrent, "alter table events detach partition e1;", {
        pgVersion: 13,
      }),
    ).toEqual([]);
  });
});
