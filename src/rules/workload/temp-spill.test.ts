import { describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { defaultOptions } from "../rule.js";
import { tempSpill } from "./temp-spill.js";

describe("workload/temp-spill", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the statement that writes temporary files on every call (%s)",
    (version) => {
      const findings = tempSpill.check({ snapshot: workloadSnapshot(version) }, defaultOptions(tempSpill));
      expect(findings).toHaveLength(1);
      expect(findings[0]?.query).toMatch(/order by total desc, id offset \$1 limit \$2/);
      expect(Number(findings[0]?.evidence.tempBytesPerCall)).toBeGreaterThan(1024 * 1024);
      expect(findings[0]?.fix?.sql).toMatch(/^SET work_mem = '\d+MB';/);
    },
  );

  it("is quiet below its threshold", () => {
    const findings = tempSpill.check(
      { snapshot: workloadSnapshot("pg18") },
      { ...defaultOptions(tempSpill), minTempBytesPerCall: 1e12 },
    );
    expect(findings).toEqual([]);
  });

  it("never recommends the work_mem the statement already runs with", () => {
    // 7.3 MB spilled per call: twice that rounds to 16MB, which is what this server already has.
    const snapshot = withWorkMem(workloadSnapshot("pg15"), "16384");
    const [finding] = tempSpill.check({ snapshot }, defaultOptions(tempSpill));
    expect(finding?.evidence.workMemKB).toBe(16384);
    expect(finding?.fix?.sql).toMatch(/^SET work_mem = '32MB';/);
    expect(finding?.fix?.note).toMatch(
      /starting point to verify.*EXPLAIN \(ANALYZE, BUFFERS\).*Sort Method: quicksort/,
    );
  });

  it("rates by the time at stake, not only by its share of a quiet server's time", () => {
    // Three calls, 0.9 s in all, most of the captured workload's time.
    const quiet = workloadSnapshot("pg15");
    const [small] = tempSpill.check({ snapshot: quiet }, defaultOptions(tempSpill));
    expect(Number(small?.evidence.share)).toBeGreaterThan(0.2);
    expect(small?.severity).toBe("info");
    const busy = workloadSnapshot("pg15");
    for (const s of busy.workload.statements) {
      s.totalMs *= 100;
      s.calls *= 100;
      s.tempBlksWritten *= 100;
    }
    busy.workload.totalMs *= 100;
    expect(tempSpill.check({ snapshot: busy }, defaultOptions(tempSpill))[0]?.severity).toBe("error");
  });
});

function withWorkMem(snapshot: Snapshot, kB: string): Snapshot {
  snapshot.settings = snapshot.settings.map((s) => (s.name === "work_mem" ? { ...s, setting: kB } : s));
  return snapshot;
}
