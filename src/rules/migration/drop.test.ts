import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { dropObject } from "./drop.js";

describe("migration/drop", () => {
  it("reports dropped tables and columns", async () => {
    const findings = await lintSql(
      dropObject,
      "drop table audit_log;\nalter table users drop column legacy_id;",
    );
    expect(findings.map((f) => [f.severity, f.objects])).toEqual([
      ["warning", ["audit_log"]],
      ["warning", ["users"]],
    ]);
  });

  it("reports dropped views, schemas, functions, types and sequences, and says what CASCADE takes with it", async () => {
    const findings = await lintSql(
      dropObject,
      'drop view if exists "Active Users";\ndrop schema legacy cascade;\ndrop function billing.total(int);\ndrop type mood;\ndrop sequence order_seq;\ndrop materialized view daily;',
    );
    expect(findings.map((f) => f.title)).toEqual([
      "DROP VIEW Active Users breaks code that still uses it",
      "DROP SCHEMA legacy breaks code that still uses it",
      "DROP FUNCTION billing.total breaks code that still uses it",
      "DROP TYPE mood breaks code that still uses it",
      "DROP SEQUENCE order_seq breaks code that still uses it",
      "DROP MATERIALIZED VIEW daily breaks code that still uses it",
    ]);
    expect(findings[1]?.detail).toContain("CASCADE also drops everything that depends on it");
  });

  it("is quiet for tables the set creates", async () => {
    expect(
      await lintSql(dropObject, "create table tmp (a int);\nalter table tmp drop column a;\ndrop table tmp;"),
    ).toEqual([]);
  });
});
