import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { addColumnRewrite } from "./add-column-rewrite.js";

describe("migration/add-column-rewrite", () => {
  it("reports volatile defaults, serial, identity and stored generated columns", async () => {
    const findings = await lintSql(
      addColumnRewrite,
      `alter table orders add column token uuid default gen_random_uuid();
       alter table orders add column seq bigserial;
       alter table orders add column n bigint generated always as identity;
       alter table orders add column total2 numeric generated always as (total * 2) stored;`,
    );
    expect(findings.map((f) => f.severity)).toEqual(["error", "error", "error", "error"]);
    expect(findings[0]?.evidence).toMatchObject({ rewrite: true, lock: "AccessExclusiveLock" });
    expect(findings[1]?.fix?.sql).toBe("ALTER TABLE orders ADD COLUMN seq bigint;");
  });

  it("warns when the default calls a function it cannot judge", async () => {
    const [f] = await lintSql(
      addColumnRewrite,
      "alter table orders add column code text default make_code();",
    );
    expect(f).toMatchObject({ severity: "warning" });
    expect(f?.fix?.note).toMatch(/provolatile/);
  });

  it("is quiet for constant and STABLE defaults, and on new tables", async () => {
    expect(
      await lintSql(
        addColumnRewrite,
        "alter table orders add column flag boolean not null default false, add column at timestamptz default now();",
      ),
    ).toEqual([]);
    expect(
      await lintSql(addColumnRewrite, "create table t (a int);\nalter table t add column id bigserial;"),
    ).toEqual([]);
  });
});
