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
    const [using] = await lintSql(
      alterColumnType,
      "alter table orders alter column n type int8 using n::int8;",
    );
    expect(using?.severity).toBe("error");
  });
});
