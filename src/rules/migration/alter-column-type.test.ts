import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { alterColumnType } from "./alter-column-type.js";

const SCHEMA = "create table if not exists x ();\n"; // keeps statement numbering readable

describe("migration/alter-column-type", () => {
  it("knows binary-coercible changes from the set's own history", async () => {
    // The table is created in an earlier migration the set does not include: its columns' types come from a
    // previous statement that ran against it.
    const base =
      "alter table t add column name varchar(20), add column price numeric(10,2), add column n int4;\n";
    expect(
      await lintSql(alterColumnType, `${base}alter table t alter column name type varchar(40);`),
    ).toEqual([]);
    expect(await lintSql(alterColumnType, `${base}alter table t alter column name type text;`)).toEqual([]);
    expect(
      await lintSql(alterColumnType, `${base}alter table t alter column price type numeric(12,2);`),
    ).toEqual([]);
    const [shorter] = await lintSql(
      alterColumnType,
      `${base}alter table t alter column name type varchar(10);`,
    );
    expect(shorter).toMatchObject({ severity: "error", evidence: { rewrite: false } });
    const [wider] = await lintSql(alterColumnType, `${base}alter table t alter column n type bigint;`);
    expect(wider).toMatchObject({
      severity: "error",
      evidence: { rewrite: true, lock: "AccessExclusiveLock" },
    });
    expect(wider?.title).toBe("t.n to int8 rewrites t and its indexes");
  });

  it("warns when the old type is unknown, and reports USING as a rewrite", async () => {
    const [unknown] = await lintSql(
      alterColumnType,
      `${SCHEMA}alter table orders alter column note type text;`,
    );
    expect(unknown?.severity).toBe("warning");
    // USING n::int8 is the cast PostgreSQL applies anyway: as unknown as without it.
    const [cast] = await lintSql(
      alterColumnType,
      "alter table orders alter column n type int8 using n::int8;",
    );
    expect(cast?.severity).toBe("warning");
    const [using] = await lintSql(
      alterColumnType,
      "alter table orders alter column n type int8 using n::int8 * 100;",
    );
    expect(using?.severity).toBe("error");
  });

  it("knows timestamp ↔ timestamptz keeps its bytes only under UTC, and raising a precision is free", async () => {
    const base = "alter table events add column at timestamp(3), add column seen timestamptz(6);\n";
    const [zone] = await lintSql(
      alterColumnType,
      `${base}alter table events alter column at type timestamptz;`,
    );
    expect(zone).toMatchObject({ severity: "warning", evidence: { rewrite: true } });
    expect(zone?.title).toBe("events.at to timestamptz rewrites events unless the session time zone is UTC");
    expect(zone?.fix?.sql).toBe(
      "SET timezone = 'UTC';\nalter table events alter column at type timestamptz;\nRESET timezone;",
    );
    expect(
      await lintSql(alterColumnType, `${base}alter table events alter column at type timestamp(6);`),
    ).toEqual([]);
    const [narrower] = await lintSql(
      alterColumnType,
      `${base}alter table events alter column seen type timestamptz(0);`,
    );
    expect(narrower?.severity).toBe("error");
  });

  it('reads Django\'s USING "col"::type as the plain cast: varchar(255) to text and numeric(10,2) to (12,2) need no rewrite', async () => {
    // From test/fixtures/migrations/django-widen-and-link (sqlmigrate output); the old types from the table's history.
    const base =
      'alter table "shop_product" add column "name" varchar(255), add column "price" numeric(10, 2), add column "n" int;\n';
    expect(
      await lintSql(
        alterColumnType,
        `${base}ALTER TABLE "shop_product" ALTER COLUMN "name" TYPE text USING "name"::text;\nALTER TABLE "shop_product" ALTER COLUMN "price" TYPE numeric(12, 2);`,
      ),
    ).toEqual([]);
    // A cast to another type than the target, or of another column, is an expression: rewrite.
    const [other] = await lintSql(
      alterColumnType,
      `${base}ALTER TABLE "shop_product" ALTER COLUMN "name" TYPE text USING "price"::text;`,
    );
    expect(other?.evidence.rewrite).toBe(true);
    // Measured on PostgreSQL 15: the relfilenode stays for varchar(255) → text USING name::text, changes for int → bigint.
    const [wider] = await lintSql(
      alterColumnType,
      `${base}ALTER TABLE "shop_product" ALTER COLUMN "n" TYPE bigint USING "n"::bigint;`,
    );
    expect(wider).toMatchObject({ severity: "error", evidence: { rewrite: true } });
  });
});
