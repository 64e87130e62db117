import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { memorySettings } from "./memory-settings.js";

describe("config/memory-settings", () => {
  it.each(["pg15", "pg18"] as const)("finds 128MB of shared_buffers small for 64GB (%s)", (version) => {
    const [finding] = healthFindings(memorySettings, version, { machine: { ramBytes: 64 * 1024 ** 3 } });
    expect(finding?.fix?.sql).toBe(
      "ALTER SYSTEM SET shared_buffers = '16384MB';  -- takes effect after a restart",
    );
  });

  it("finds the worst case above a small machine's RAM", () => {
    const findings = healthFindings(memorySettings, "pg18", { machine: { ramBytes: 512 * 1024 ** 2 } });
    const overcommit = findings.find((f) => f.title.startsWith("Worst-case memory"));
    expect(Number(overcommit?.evidence.worstCaseBytes)).toBeGreaterThan(512 * 1024 ** 2);
  });

  it("finds work_mem at its default while queries spill, on a machine with room", () => {
    const findings = healthFindings(memorySettings, "pg18", { machine: { ramBytes: 16 * 1024 ** 3 } });
    const workMem = findings.find((f) => f.title.startsWith("work_mem is"));
    expect(Number(workMem?.evidence.tempBytes)).toBeGreaterThan(0);
    expect(workMem?.fix?.sql).toMatch(/^ALTER SYSTEM SET work_mem = '\d+MB';/);
  });

  it("needs the machine's RAM", () => {
    expect(healthFindings(memorySettings, "pg18")).toEqual([]);
  });
});
