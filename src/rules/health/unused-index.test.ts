import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { unusedIndex } from "./unused-index.js";

describe("health/unused-index", () => {
  it.each(["pg15", "pg18"] as const)(
    "lists unscanned indexes by size, never constraint indexes (%s)",
    (version) => {
      const findings = healthFindings(unusedIndex, version);
      const names = findings.map((f) => f.evidence.index);
      expect(names).toEqual(
        expect.arrayContaining(["accounts_email_a", "accounts_plan_created", "accounts_nickname"]),
      );
      expect(names.some((n) => String(n).endsWith("_pkey"))).toBe(false);
    },
  );

  it("stays a hint while the statistics are young, and says how young", () => {
    const [finding] = healthFindings(unusedIndex, "pg18");
    expect(finding?.severity).toBe("info");
    expect(finding?.detail).toMatch(/The statistics are only \d+ (second|minute|hour)s? old/);
    const grown = healthFindings(unusedIndex, "pg18", { options: { minStatsDays: 0 } });
    expect(grown[0]?.detail).not.toMatch(/only/);
  });
});
