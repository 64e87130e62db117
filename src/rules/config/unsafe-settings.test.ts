import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { unsafeSettings } from "./unsafe-settings.js";

describe("config/unsafe-settings", () => {
  it("finds fsync and full_page_writes off on the embedded sandbox", () => {
    const findings = healthFindings(unsafeSettings, "pg18");
    expect(findings.map((f) => f.evidence.setting)).toEqual(["fsync", "full_page_writes"]);
    expect(findings[0]?.fix?.sql).toBe("ALTER SYSTEM SET fsync = 'on';\nSELECT pg_reload_conf();");
  });

  it("finds autovacuum off where the server runs without it", () => {
    const findings = healthFindings(unsafeSettings, "pg15");
    expect(findings.map((f) => f.evidence.setting)).toEqual(
      findings.length ? expect.arrayContaining(["autovacuum"]) : [],
    );
  });
});
