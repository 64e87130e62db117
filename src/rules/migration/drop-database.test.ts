import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { dropDatabase } from "./drop-database.js";

describe("migration/drop-database", () => {
  it("reports DROP DATABASE, forced or not, and nothing else", async () => {
    const findings = await lintSql(
      dropDatabase,
      'drop database if exists "Old Shop";\ndrop database staging with (force);\ndrop table t;',
    );
    expect(findings.map((f) => [f.severity, f.title, f.location?.line])).toEqual([
      ["error", "DROP DATABASE Old Shop destroys a whole database", 1],
      ["error", "DROP DATABASE staging destroys a whole database", 2],
    ]);
  });
});
