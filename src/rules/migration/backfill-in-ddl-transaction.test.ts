import { readFileSync } from "node:fs";
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

  it("is quiet for Alembic's closing UPDATE alembic_version (offline SQL from a real Alembic run)", async () => {
    const alembic = readFileSync(
      new URL(
        "../../../test/fixtures/migrations/alembic-add-plan/9a8b7c6d5e4f_add_plan.sql",
        import.meta.url,
      ),
      "utf8",
    );
    expect(alembic).toContain("UPDATE alembic_version SET version_num='9a8b7c6d5e4f'");
    expect(await lintSql(backfillInDdlTransaction, alembic)).toEqual([]);
    expect(
      await lintSql(
        backfillInDdlTransaction,
        "begin;\nalter table accounts add column plan text;\nupdate schema_migrations set version = '2';\ncommit;",
      ),
    ).toEqual([]);
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
