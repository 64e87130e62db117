import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { backfillInDdlTransaction } from "./backfill-in-ddl-transaction.js";

describe("migration/backfill-in-ddl-transaction", () => {
  it("reports an UPDATE after DDL on the same table in one transaction", async () => {
    const [f] = await lintSql(
      backfillInDdlTransaction,
      "begin;\nalter table users add column plan text;\nupdate users set plan = 'free';\ncommit;",
    );
    expect(f).toMatchObject({
      severity: "error",
      location: { line: 3 },
      evidence: { lock: "AccessExclusiveLock" },
    });
  });

  it("is quiet without DDL before it, after COMMIT, or on a new table", async () => {
    expect(
      await lintSql(backfillInDdlTransaction, "begin;\nupdate users set plan = 'free';\ncommit;"),
    ).toEqual([]);
    expect(
      await lintSql(
        backfillInDdlTransaction,
        "alter table users add column plan text;\nupdate users set plan = 'free';",
      ),
    ).toEqual([]);
    expect(
      await lintSql(
        backfillInDdlTransaction,
        "begin;\ncreate table t (a int);\nalter table t add column b int;\nupdate t set b = 1;\ncommit;",
      ),
    ).toEqual([]);
  });
});
