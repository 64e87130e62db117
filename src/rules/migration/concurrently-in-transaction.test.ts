import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { concurrentlyInTransaction } from "./concurrently-in-transaction.js";

describe("migration/concurrently-in-transaction", () => {
  it("reports CONCURRENTLY inside BEGIN ... COMMIT, and in files the runner wraps", async () => {
    const [f] = await lintSql(
      concurrentlyInTransaction,
      "begin;\ncreate index concurrently on orders (a);\ncommit;",
    );
    expect(f).toMatchObject({ severity: "error", location: { line: 2 } });
    expect(
      await lintSql(concurrentlyInTransaction, "vacuum orders;", { assumeInTransaction: true }),
    ).toHaveLength(1);
    expect(
      await lintSql(concurrentlyInTransaction, "begin;\nreindex index concurrently orders_a_idx;\ncommit;"),
    ).toHaveLength(1);
  });

  it("knows that COMMIT ends the runner's transaction: COMMIT; CREATE INDEX CONCURRENTLY; BEGIN; is the idiom", async () => {
    expect(
      await lintSql(
        concurrentlyInTransaction,
        "alter table orders add column a int;\ncommit;\ncreate index concurrently on orders (a);\nbegin;\nalter table orders add column b int;",
        { assumeInTransaction: true },
      ),
    ).toEqual([]);
    expect(
      await lintSql(
        concurrentlyInTransaction,
        "commit;\nbegin;\ncreate index concurrently on orders (a);\ncommit;",
        { assumeInTransaction: true },
      ),
    ).toHaveLength(1);
  });

  it("is quiet outside a transaction and after COMMIT", async () => {
    expect(await lintSql(concurrentlyInTransaction, "create index concurrently on orders (a);")).toEqual([]);
    expect(
      await lintSql(
        concurrentlyInTransaction,
        "begin;\nselect 1;\ncommit;\ndrop index concurrently orders_a_idx;",
      ),
    ).toEqual([]);
  });

  it("a file of the one statement the runner wraps is a warning that names Flyway's exception, two statements an error (squawk's assume-in-transaction case)", async () => {
    const [alone] = await lintSql(
      concurrentlyInTransaction,
      '-- run index creation in a standalone migration\nCREATE UNIQUE INDEX CONCURRENTLY "field_name_idx" ON "table_name" ("field_name");',
      { assumeInTransaction: true },
    );
    expect(alone?.severity).toBe("warning");
    expect(alone?.detail).toContain("Flyway");
    const [two] = await lintSql(
      concurrentlyInTransaction,
      "select 1;\ncreate index concurrently i on t (a);",
      {
        assumeInTransaction: true,
      },
    );
    expect(two?.severity).toBe("error");
  });
});
