import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { renameObject } from "./rename.js";

describe("migration/rename", () => {
  it("reports renamed columns, tables and enum values", async () => {
    const findings = await lintSql(
      renameObject,
      "alter table users rename column name to full_name;\nalter table users rename to accounts;\nalter type mood rename value 'ok' to 'fine';",
    );
    expect(findings.map((f) => f.title)).toEqual([
      "Renaming column users.name breaks the code that still uses the old name",
      "Renaming table users breaks the code that still uses the old name",
      "Renaming enum value 'ok' breaks code and data that use it",
    ]);
  });

  it("quotes the names in the view it suggests leaving behind", async () => {
    const [f] = await lintSql(renameObject, 'alter table "Billing"."Old Name" rename to "New Name";');
    expect(f?.fix?.note).toBe(
      'Rename, and in the same transaction CREATE VIEW "Billing"."Old Name" AS SELECT * FROM "Billing"."New Name"; (a simple view is updatable) until the old code is gone.',
    );
  });

  it("reports a renamed schema and a table moved to another schema", async () => {
    const [f] = await lintSql(renameObject, "alter schema billing rename to invoicing;");
    expect(f?.title).toBe("Renaming schema billing breaks every query that names it");
    const [moved] = await lintSql(renameObject, "alter table billing.invoices set schema archive;");
    expect(moved?.title).toBe(
      "Moving table billing.invoices to schema archive breaks the code that still finds it in the old one",
    );
  });

  it("is quiet for tables the set creates", async () => {
    expect(
      await lintSql(renameObject, "create table t (a int);\nalter table t rename column a to b;"),
    ).toEqual([]);
  });
});
