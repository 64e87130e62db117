import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { createIndexNotConcurrent } from "./create-index-not-concurrent.js";

describe("migration/create-index-not-concurrent", () => {
  it("reports a plain CREATE INDEX on an existing table, at its line, with the concurrent form", async () => {
    const [f] = await lintSql(
      createIndexNotConcurrent,
      "-- orders lookup\n\ncreate index orders_customer_idx on orders (customer_id);",
    );
    expect(f).toMatchObject({ severity: "error", location: { file: "m.sql", line: 3, column: 1 } });
    expect(f?.evidence).toMatchObject({ lock: "ShareLock", blocks: "writes" });
    expect(f?.fix?.sql).toBe("create index CONCURRENTLY orders_customer_idx on orders (customer_id);");
  });

  it("grades a small table down when sizes are known", async () => {
    const [f] = await lintSql(createIndexNotConcurrent, "create unique index on flags (name);", {
      existing: { flags: 16384 },
    });
    expect(f?.severity).toBe("warning");
    expect(f?.fix?.sql).toBe("create unique index CONCURRENTLY on flags (name);");
  });

  it("is quiet for CONCURRENTLY, for tables the set creates, and when suppressed", async () => {
    expect(await lintSql(createIndexNotConcurrent, "create index concurrently on orders (a);")).toEqual([]);
    expect(
      await lintSql(createIndexNotConcurrent, "create table t (id int, a int);\ncreate index on t (a);"),
    ).toEqual([]);
    expect(
      await lintSql(
        createIndexNotConcurrent,
        "-- dbopt-ignore: migration/create-index-not-concurrent\ncreate index on orders (a);",
      ),
    ).toEqual([]);
  });
});
