import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { concurrentIndexRetry } from "./concurrent-index-retry.js";

describe("migration/concurrent-index-retry", () => {
  it("asks to drop a leftover INVALID index first, quoting it in the table's schema", async () => {
    const [f] = await lintSql(
      concurrentIndexRetry,
      'create index concurrently if not exists "Orders By Day" on "Shop".orders (created_at);',
    );
    expect(f?.severity).toBe("warning");
    expect(f?.fix?.sql).toBe(
      'DROP INDEX CONCURRENTLY IF EXISTS "Shop"."Orders By Day";\ncreate index concurrently if not exists "Orders By Day" on "Shop".orders (created_at);',
    );
    const [plain] = await lintSql(
      concurrentIndexRetry,
      "create index concurrently orders_day on orders (day);",
    );
    expect(plain?.severity).toBe("info");
    const [unnamed] = await lintSql(concurrentIndexRetry, "create index concurrently on orders (day);");
    expect(unnamed?.fix?.sql).toBeUndefined();
  });

  it("is quiet after DROP INDEX IF EXISTS of the same name, for plain CREATE INDEX and for new tables", async () => {
    expect(
      await lintSql(
        concurrentIndexRetry,
        "drop index concurrently if exists orders_day;\ncreate index concurrently orders_day on orders (day);",
      ),
    ).toEqual([]);
    expect(await lintSql(concurrentIndexRetry, "create index orders_day on orders (day);")).toEqual([]);
    expect(
      await lintSql(concurrentIndexRetry, "create table t (a int);\ncreate index concurrently t_a on t (a);"),
    ).toEqual([]);
  });
});
