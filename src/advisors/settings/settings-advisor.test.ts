import { describe, expect, it } from "vitest";
import { healthSnapshot, workloadSnapshot } from "../../../test/support/rule-harness.js";
import { alterSystemScript, recommendSettings } from "./settings-advisor.js";

const GB = 1024 ** 3;
const machine = {
  ramBytes: 16 * GB,
  cpus: 4,
  storage: "ssd" as const,
  workload: "oltp" as const,
  connections: null,
};

describe("settings advisor", () => {
  it("without a database, gives PGTune's figures and says so", () => {
    const report = recommendSettings(machine, null, null);
    expect(report.recommendations.find((r) => r.name === "shared_buffers")?.recommended).toBe("4GB");
    expect(report.notes[0]).toMatch(/no database given/);
    expect(report.recommendations.every((r) => r.changed)).toBe(true);
  });

  it("raises work_mem for statements that spill, with the evidence", () => {
    const report = recommendSettings({ ...machine, connections: 300 }, workloadSnapshot("pg18"), "test");
    const workMem = report.recommendations.find((r) => r.name === "work_mem");
    expect(workMem?.reason).toMatch(/spill up to .* to disk per call/);
    expect(Number(workMem?.evidence.largestSpillPerCallBytes)).toBeGreaterThan(1024 * 1024);
    expect(workMem?.recommended).toMatch(/^\d+MB$/);
  });

  it("turns autovacuum back on and reads the current values as the server shows them", () => {
    const report = recommendSettings(machine, healthSnapshot("pg15"), "test");
    const autovacuum = report.recommendations.find((r) => r.name === "autovacuum");
    if (autovacuum) expect(autovacuum.recommended).toBe("on");
    const shared = report.recommendations.find((r) => r.name === "shared_buffers");
    expect(shared?.current).toBe("128MB");
    expect(shared?.restart).toBe(true);
    expect(report.recommendations.find((r) => r.name === "effective_cache_size")?.restart).toBe(false);
  });

  it("sizes shared_buffers to a small database instead of a quarter of RAM", () => {
    const report = recommendSettings(machine, workloadSnapshot("pg18"), "test");
    const shared = report.recommendations.find((r) => r.name === "shared_buffers");
    expect(shared?.reason).toMatch(/the whole database is/);
  });

  it("writes ALTER SYSTEM lines only for what changes", () => {
    const script = alterSystemScript(recommendSettings(machine, healthSnapshot("pg18"), "test"));
    expect(script.at(-1)).toMatch(/restart/);
    expect(
      script.every(
        (l) =>
          l.startsWith("ALTER SYSTEM SET") || l.startsWith("SELECT pg_reload_conf") || l.startsWith("--"),
      ),
    ).toBe(true);
    expect(script.some((l) => l.startsWith("ALTER SYSTEM SET checkpoint_completion_target"))).toBe(false);
  });
});

describe("settings advisor with many connections", () => {
  it("asks for a per-role work_mem when raising it for everyone would overcommit", () => {
    const report = recommendSettings({ ...machine, connections: 2000 }, workloadSnapshot("pg18"), "test");
    expect(report.notes.join("\n")).toMatch(
      /give their role more instead of everyone \(ALTER ROLE \w+ SET work_mem = '\d+MB';\)/,
    );
  });
});
