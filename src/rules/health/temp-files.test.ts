import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { tempFiles } from "./temp-files.js";

describe("health/temp-files", () => {
  it.each(["pg15", "pg18"] as const)("reports the spilling sort's temporary files (%s)", (version) => {
    const [finding] = healthFindings(tempFiles, version, { options: { minBytes: 1 } });
    expect(Number(finding?.evidence.tempFiles)).toBeGreaterThan(0);
    expect(finding?.fix?.sql).toContain("log_temp_files");
  });

  it("is quiet below a gigabyte", () => {
    expect(healthFindings(tempFiles, "pg18")).toEqual([]);
  });
});
