import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { domainConstraint } from "./domain-constraint.js";

describe("migration/domain-constraint", () => {
  it("reports adding and validating a domain constraint, and SET NOT NULL on a domain", async () => {
    const findings = await lintSql(
      domainConstraint,
      [
        "alter domain positive_int add constraint positive check (value > 0);",
        "alter domain positive_int add constraint positive2 check (value > 0) not valid;",
        "alter domain positive_int validate constraint positive2;",
        "alter domain email set not null;",
      ].join("\n"),
    );
    expect(findings.map((f) => [f.location?.line, f.evidence.lock])).toEqual([
      [1, "ShareLock"],
      [3, "ShareLock"],
      [4, "ShareLock"],
    ]);
  });

  it("is quiet for a domain the set creates", async () => {
    expect(
      await lintSql(
        domainConstraint,
        "create domain positive_int as int;\nalter domain positive_int add constraint positive check (value > 0);",
      ),
    ).toEqual([]);
  });
});
