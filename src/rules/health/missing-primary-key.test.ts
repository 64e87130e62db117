import { describe, expect, it } from "vitest";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { missingPrimaryKey } from "./missing-primary-key.js";

describe("health/missing-primary-key", () => {
  it.each(["pg15", "pg18"] as const)("finds tables without a primary key (%s)", (version) => {
    const findings = healthFindings(missingPrimaryKey, version);
    expect(findings.map((f) => f.evidence.table).sort()).toEqual(["audit_log", "imports"]);
    expect(findings.find((f) => f.evidence.table === "imports")?.evidence.rows).toBe(50000);
  });

  it("is quiet when every table has one", () => {
    const findings = healthFindings(missingPrimaryKey, "pg18", { snapshot: captureSnapshot("pg18") });
    expect(findings.map((f) => f.evidence.table)).toEqual([]);
  });
});
