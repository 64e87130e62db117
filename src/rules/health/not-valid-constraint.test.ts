import { describe, expect, it } from "vitest";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { notValidConstraint } from "./not-valid-constraint.js";

describe("health/not-valid-constraint", () => {
  it.each(["pg15", "pg18"] as const)("finds the CHECK added NOT VALID (%s)", (version) => {
    const [finding] = healthFindings(notValidConstraint, version);
    expect(finding?.evidence).toMatchObject({ constraint: "invoices_amount_positive", type: "check" });
    expect(finding?.fix?.sql).toBe("ALTER TABLE invoices VALIDATE CONSTRAINT invoices_amount_positive;");
  });

  it("is quiet when all constraints are validated", () => {
    expect(healthFindings(notValidConstraint, "pg18", { snapshot: captureSnapshot("pg18") })).toEqual([]);
  });
});
