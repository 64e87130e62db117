import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { addNotNullColumnWithoutDefault } from "./add-not-null-column-without-default.js";

describe("migration/add-not-null-column-without-default", () => {
  it("reports NOT NULL without a default on an existing table", async () => {
    const [f] = await lintSql(
      addNotNullColumnWithoutDefault,
      "alter table users add column tenant_id bigint not null;",
    );
    expect(f?.severity).toBe("error");
    expect(f?.fix?.sql).toBe("ALTER TABLE users ADD COLUMN tenant_id bigint;");
  });

  it("is quiet with a default, for identity columns, and on new tables", async () => {
    expect(
      await lintSql(addNotNullColumnWithoutDefault, "alter table users add column n int not null default 0;"),
    ).toEqual([]);
    expect(
      await lintSql(
        addNotNullColumnWithoutDefault,
        "alter table users add column n bigint not null generated always as identity;",
      ),
    ).toEqual([]);
    expect(
      await lintSql(
        addNotNullColumnWithoutDefault,
        "create table t (a int);\nalter table t add column b int not null;",
      ),
    ).toEqual([]);
  });
});
