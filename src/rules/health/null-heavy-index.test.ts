import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { nullHeavyIndex } from "./null-heavy-index.js";

describe("health/null-heavy-index", () => {
  it.each(["pg15", "pg18"] as const)("suggests a partial index for a 90%-NULL column (%s)", (version) => {
    const [finding] = healthFindings(nullHeavyIndex, version, { options: { minBytes: 0 } });
    expect(finding?.evidence).toMatchObject({ index: "accounts_nickname", column: "nickname" });
    expect(Number(finding?.evidence.nullFrac)).toBeGreaterThan(0.85);
    expect(finding?.fix?.sql).toMatch(
      /^CREATE INDEX CONCURRENTLY accounts_nickname_not_null ON accounts USING btree \(nickname\) WHERE nickname IS NOT NULL;/,
    );
  });

  it("ignores small indexes by default", () => {
    expect(healthFindings(nullHeavyIndex, "pg18")).toEqual([]);
  });
});
