import { describe, expect, it } from "vitest";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { columnTypeSmell } from "./column-type-smell.js";

describe("health/column-type-smell", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds float money, json, timestamp without zone and char(n) (%s)",
    (version) => {
      const kinds = healthFindings(columnTypeSmell, version).map(
        (f) => `${f.evidence.table}: ${f.evidence.kind}`,
      );
      expect(kinds).toEqual([
        "accounts: float for money",
        "accounts: json instead of jsonb",
        "accounts: timestamp without time zone",
        "accounts: char(n)",
      ]);
    },
  );

  it("is quiet for sound types", () => {
    expect(healthFindings(columnTypeSmell, "pg18", { snapshot: captureSnapshot("pg18") })).toEqual([]);
  });
});
