import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { transactionNesting } from "./transaction-nesting.js";

describe("migration/transaction-nesting", () => {
  it("reports BEGIN inside the runner's transaction and inside another BEGIN", async () => {
    const [wrapped] = await lintSql(transactionNesting, "begin;\nalter table t add column a int;\ncommit;", {
      assumeInTransaction: true,
    });
    expect(wrapped?.title).toBe("BEGIN inside a transaction that is already open");
    expect(wrapped?.detail).toContain("runner already wraps this file");
    const nested = await lintSql(transactionNesting, "begin;\nbegin;\nselect 1;\ncommit;\ncommit;");
    expect(nested.map((f) => f.location?.line)).toEqual([2]);
  });

  it("reports a BEGIN that is never committed", async () => {
    const [f] = await lintSql(transactionNesting, "begin;\nalter table t add column a int;\n");
    expect(f?.title).toBe("BEGIN without a COMMIT: the changes are never committed");
  });

  it("is quiet for one BEGIN ... COMMIT, and for COMMIT; CREATE INDEX CONCURRENTLY; BEGIN; in a wrapped file", async () => {
    expect(await lintSql(transactionNesting, "begin;\nalter table t add column a int;\ncommit;")).toEqual([]);
    expect(
      await lintSql(transactionNesting, "commit;\ncreate index concurrently i on t (a);\nbegin;", {
        assumeInTransaction: true,
      }),
    ).toEqual([]);
  });
});
