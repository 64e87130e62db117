import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { transactionNesting } from "./transaction-nesting.js";

describe("migration/transaction-nesting", () => {
  it("follows COMMIT AND CHAIN and ROLLBACK AND CHAIN into the transaction they open (PostgreSQL 15 commits it at the final COMMIT)", async () => {
    for (const end of ["commit", "rollback"])
      expect(
        await lintSql(
          transactionNesting,
          `begin;\ncreate table e (id int);\n${end} and chain;\ncreate table f (id int);\ncommit;`,
        ),
        end,
      ).toEqual([]);
    // The chained transaction still needs its COMMIT.
    const [open] = await lintSql(transactionNesting, "begin;\nselect 1;\ncommit and chain;\nselect 2;");
    expect(open?.title).toBe("BEGIN without a COMMIT: the changes are never committed");
    // In a wrapped file it commits part of the runner's transaction; the runner's COMMIT still has one to end.
    const wrapped = await lintSql(transactionNesting, "select 1;\ncommit and chain;\nselect 2;", {
      assumeInTransaction: true,
    });
    expect(wrapped.map((f) => f.title)).toEqual([
      "COMMIT AND CHAIN commits part of the migration runner's transaction",
    ]);
  });

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

  it("reports a COMMIT that ends the runner's transaction for good, and a ROLLBACK of it (squawk's transaction-nesting cases)", async () => {
    const [commit] = await lintSql(transactionNesting, "select 1;\ncommit;", { assumeInTransaction: true });
    expect(commit?.title).toBe("COMMIT ends the migration runner's transaction");
    expect(commit?.location?.line).toBe(2);
    const [rollback] = await lintSql(transactionNesting, "alter table t add column a int;\nrollback;", {
      assumeInTransaction: true,
    });
    expect(rollback?.title).toBe("ROLLBACK of the migration runner's transaction");
    expect(rollback?.detail).toContain("records the migration as applied");
  });

  it("is quiet for a wrapped file that commits to run only statements refused in a transaction after it", async () => {
    expect(
      await lintSql(
        transactionNesting,
        "alter table t add column a int;\ncommit;\ncreate index concurrently i on t (a);",
        {
          assumeInTransaction: true,
        },
      ),
    ).toEqual([]);
  });

  it("reports a COMMIT with no transaction open, once per mistake", async () => {
    const repeated = await lintSql(transactionNesting, "begin;\nselect 1;\ncommit;\ncommit;");
    expect(repeated.map((f) => [f.location?.line, f.title])).toEqual([
      [4, "COMMIT with no transaction in progress"],
    ]);
    const nested = await lintSql(transactionNesting, "begin;\nbegin;\nselect 1;\ncommit;\ncommit;");
    expect(nested.map((f) => f.location?.line)).toEqual([2]);
  });
});
