import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { dropIndexNotConcurrent } from "./drop-index-not-concurrent.js";

describe("migration/drop-index-not-concurrent", () => {
  it("reports DROP INDEX with the concurrent form", async () => {
    const [f] = await lintSql(dropIndexNotConcurrent, "drop index if exists orders_status_idx;");
    expect(f?.evidence).toMatchObject({ lock: "AccessExclusiveLock", blocks: "reads and writes" });
    expect(f?.fix?.sql).toBe("DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;");
  });

  it("is quiet for CONCURRENTLY and for an index on a table the set creates", async () => {
    expect(await lintSql(dropIndexNotConcurrent, "drop index concurrently orders_status_idx;")).toEqual([]);
    expect(
      await lintSql(
        dropIndexNotConcurrent,
        "create table t (a int);\ncreate index t_a on t (a);\ndrop index t_a;",
      ),
    ).toEqual([]);
  });
});
