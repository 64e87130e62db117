import { describe, expect, it } from "vitest";
import { healthSnapshot } from "../../../test/support/rule-harness.js";
import type { CheckpointStats, Snapshot } from "../../facts/snapshot.js";
import { recommendSettings } from "./settings-advisor.js";

const MB = 1024 ** 2;
const GB = 1024 ** 3;
const machine = { ramBytes: 64 * GB, cpus: 16, storage: "ssd", workload: "web", connections: 200 } as const;

/** The captured PG15 health snapshot with its checkpoint counters and max_wal_size replaced. */
function withCounters(stats: Partial<CheckpointStats>, maxWalMb: number): Snapshot {
  const s = healthSnapshot("pg15");
  if (!s.checkpoints) throw new Error("fixture without checkpoints");
  return {
    ...s,
    settings: s.settings.map((x) => (x.name === "max_wal_size" ? { ...x, setting: String(maxWalMb) } : x)),
    checkpoints: { ...s.checkpoints, ...stats },
  };
}

const maxWal = (snapshot: Snapshot) => {
  const report = recommendSettings(machine, snapshot, null);
  return { report, rec: report.recommendations.find((r) => r.name === "max_wal_size") };
};

describe("tune: max_wal_size from the checkpoint evidence", () => {
  it("issue #16: 87% requested but 320MB of WAL per checkpoint against 8GB gives no 16GB", () => {
    const { report, rec } = maxWal(
      withCounters(
        {
          timed: 130,
          requested: 870,
          statsResetAt: "2026-11-01T00:00:00.000Z",
          walBytes: 1000 * 320 * MB,
          walStatsResetAt: "2026-11-01T00:00:00.000Z",
          serverNow: "2026-11-08T00:00:00.000Z",
        },
        8192,
      ),
    );
    // PGTune's web baseline is 4GB: the counters add nothing to it.
    expect(rec?.recommended).toBe("4GB");
    expect(rec?.reason).toContain("not forced by WAL volume");
    expect(rec?.evidence.walPerCheckpointBytes).toBe(320 * MB);
    expect(report.notes.join("\n")).toMatch(/not by WAL volume .*manual CHECKPOINT commands/);
  });

  it("WAL-driven at 6MB/s: WAL per checkpoint_timeout × 2 × (1 + 0.9), rounded up to whole GB", () => {
    const seconds = 30 * 86400;
    const walBytes = 6 * MB * seconds;
    const { rec } = maxWal(
      withCounters(
        {
          timed: 0,
          requested: Math.floor(walBytes / (528 * MB)),
          statsResetAt: "2026-11-01T00:00:00.000Z",
          walBytes,
          walStatsResetAt: "2026-11-01T00:01:00.000Z",
          serverNow: new Date(Date.parse("2026-11-01T00:00:00.000Z") + seconds * 1000).toISOString(),
        },
        1024,
      ),
    );
    // 6MB/s × 300 s = 1800MB; × 3.8 = 6840MB → 7GB (above the 4GB baseline).
    expect(rec?.recommended).toBe("7GB");
    expect(rec?.reason).toContain("× 2 × (1 + 0.9)");
    expect(rec?.evidence.triggerBytes).toBe(512 * MB);
  });

  it("counters over different periods: no raise, and a note that says why", () => {
    const { report, rec } = maxWal(
      withCounters(
        {
          timed: 10,
          requested: 90,
          statsResetAt: "2026-11-01T00:00:00.000Z",
          walBytes: 500 * GB,
          walStatsResetAt: "2026-11-06T00:00:00.000Z",
          serverNow: "2026-11-08T00:00:00.000Z",
        },
        1024,
      ),
    );
    expect(rec?.recommended).toBe("4GB");
    expect(report.notes.join("\n")).toContain("cover different periods");
  });
});
