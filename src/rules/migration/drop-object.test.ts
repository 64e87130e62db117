import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { dropObject } from "./drop-object.js";

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

  it("is quiet for tables the set creates", async () => {
    expect(
      await lintSql(dropObject, "create table tmp (a int);\nalter table tmp drop column a;\ndrop table tmp;"),
    ).toEqual([]);
  });
});
