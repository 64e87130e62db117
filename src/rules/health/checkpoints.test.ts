import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import type { CheckpointStats, Snapshot } from "../../facts/snapshot.js";
import { analyzeCheckpoints, checkpoints, checkpointTriggerBytes } from "./checkpoints.js";

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** The captured PG15 health snapshot (real settings and catalogs) with its checkpoint counters and max_wal_size replaced. */
function withCounters(stats: Partial<CheckpointStats>, maxWalMb = 8192): Snapshot {
  const s = healthSnapshot("pg15");
  const base = s.checkpoints;
  if (!base) throw new Error("fixture without checkpoints");
  return {
    ...s,
    settings: s.settings.map((x) => (x.name === "max_wal_size" ? { ...x, setting: String(maxWalMb) } : x)),
    checkpoints: { ...base, ...stats },
  };
}

const reset = "2026-11-01T00:00:00.000Z";
const now = "2026-11-08T00:00:00.000Z"; // 7 days of counters

describe("health/checkpoints", () => {
  it("reads pg_stat_bgwriter on 15 and pg_stat_checkpointer on 18", () => {
    const pg15 = healthFindings(checkpoints, "pg15", {
      options: { minCheckpoints: 1, maxRequestedShare: 0 },
    });
    const pg18 = healthFindings(checkpoints, "pg18", {
      options: { minCheckpoints: 1, maxRequestedShare: 0 },
    });
    expect(pg15[0]?.evidence.source).toBe("pg_stat_bgwriter");
    expect(pg18[0]?.evidence.source).toBe("pg_stat_checkpointer");
    expect(Number(pg18[0]?.evidence.requested)).toBeGreaterThanOrEqual(3);
  });

  it("is quiet while most checkpoints are timed", () => {
    expect(healthFindings(checkpoints, "pg18", { options: { maxRequestedShare: 1.01 } })).toEqual([]);
  });

  it("computes the trigger as xlog.c does: whole segments of max_wal_size / (1 + checkpoint_completion_target)", () => {
    // 8GB = 512 segments of 16MB; 512 / 1.9 = 269.47 → 269, requested 268 segments past the redo segment.
    expect(checkpointTriggerBytes(8 * GB, 16 * MB, 0.9)).toBe(268 * 16 * MB);
    // The defaults: 64 / 1.9 = 33.7 → 33 → 512MB.
    expect(checkpointTriggerBytes(GB, 16 * MB, 0.9)).toBe(512 * MB);
    // 1GB / 1.5 = 42.67 → 42 → 41 segments.
    expect(checkpointTriggerBytes(GB, 16 * MB, 0.5)).toBe(41 * 16 * MB);
    // The smallest max_wal_size (2 segments) still gives one segment.
    expect(checkpointTriggerBytes(32 * MB, 16 * MB, 0.9)).toBe(16 * MB);
  });

  it("issue #16: 87% requested with 320MB of WAL per checkpoint against 8GB is not WAL-driven", () => {
    // 1000 checkpoints, 870 requested, 320MB each: 320GB of WAL over the same period as the counters.
    const snapshot = withCounters({
      timed: 130,
      requested: 870,
      statsResetAt: reset,
      walBytes: 1000 * 320 * MB,
      walStatsResetAt: "2026-11-01T00:02:00.000Z",
      serverStartedAt: "2026-10-01T00:00:00.000Z",
      serverNow: now,
    });
    const c = analyzeCheckpoints(snapshot);
    expect(c?.verdict).toBe("other-causes");
    expect(c?.walPerCheckpointBytes).toBe(320 * MB);
    expect(c?.triggerBytes).toBe(268 * 16 * MB);
    // 320GB could have forced at most 320GB / (870 × 4288MB) = 8.8% of the requested ones.
    expect(c?.walDrivenShareAtMost).toBeCloseTo((1000 * 320) / (870 * 4288), 4);
    const [finding] = checkpoints.check(
      { snapshot },
      { maxRequestedShare: 0.5, minCheckpoints: 10, samePeriodMinutes: 5 },
    );
    expect(finding?.severity).toBe("info");
    expect(finding?.fix).toBeUndefined();
    expect(finding?.title).toContain("not by WAL volume");
    expect(finding?.detail).toMatch(/manual CHECKPOINT commands, base backups .* shutdowns/);
    expect(finding?.evidence).toMatchObject({
      walPerCheckpointBytes: 320 * MB,
      triggerBytes: 268 * 16 * MB,
      maxWalSizeBytes: 8 * GB,
      timed: 130,
      requested: 870,
      periodStart: "2026-11-01T00:02:00.000Z",
    });
  });

  it("WAL-driven by write peaks: the average rate fits, so twice the current size, said as such", () => {
    // 1GB max_wal_size, 0.9 → 64 segments / 1.9 = 33, requested 32 segments = 512MB past the redo. 200 checkpoints over 7 days, 190 requested,
    // each after ~540MB: 108,000MB of WAL, an average of 53.6MB per 5 minutes: peaks force the checkpoints.
    const snapshot = withCounters(
      {
        timed: 10,
        requested: 190,
        statsResetAt: null,
        walBytes: 200 * 540 * MB,
        walStatsResetAt: null,
        serverStartedAt: reset,
        serverNow: now,
      },
      1024,
    );
    const c = analyzeCheckpoints(snapshot);
    expect(c?.verdict).toBe("wal-driven");
    expect(c?.triggerBytes).toBe(512 * MB);
    expect(c?.walPerTimeoutBytes).toBeCloseTo(((200 * 540 * MB) / (7 * 86400)) * 300, 0);
    expect(c?.peaksOnly).toBe(true);
    expect(c?.suggestedMaxWalBytes).toBe(2 * GB);
    const [finding] = healthFindings(checkpoints, "pg15", { snapshot });
    expect(finding?.severity).toBe("warning");
    expect(finding?.title).toContain("forced by WAL volume");
    expect(finding?.detail).toContain("write peaks");
    expect(finding?.fix?.sql).toMatch(/max_wal_size.*2GB/);
  });

  it("a steady high rate gives a figure from the formula", () => {
    // 30 days at 6MB/s: 1800MB of WAL per checkpoint_timeout of 5 minutes.
    const seconds = 30 * 86400;
    const walBytes = 6 * MB * seconds;
    const snapshot = withCounters(
      {
        timed: 0,
        requested: Math.floor(walBytes / (528 * MB)),
        statsResetAt: reset,
        walBytes,
        walStatsResetAt: reset,
        serverNow: new Date(Date.parse(reset) + seconds * 1000).toISOString(),
      },
      1024,
    );
    const c = analyzeCheckpoints(snapshot);
    expect(c?.verdict).toBe("wal-driven");
    // 1800MB × 2 × 1.9 = 6840MB → 7GB.
    expect(c?.suggestedMaxWalBytes).toBe(7 * GB);
    expect(c?.peaksOnly).toBe(false);
    expect(c?.shortPeriod).toBe(false);
    const [finding] = healthFindings(checkpoints, "pg15", { snapshot });
    expect(finding?.fix?.sql).toMatch(/max_wal_size.*7GB/);
  });

  it("counters over different periods: the weaker statement, worded as such, and no max_wal_size", () => {
    const snapshot = withCounters({
      timed: 10,
      requested: 90,
      statsResetAt: reset,
      walBytes: 100 * GB,
      walStatsResetAt: "2026-11-05T00:00:00.000Z",
      serverStartedAt: "2026-10-01T00:00:00.000Z",
      serverNow: now,
    });
    const c = analyzeCheckpoints(snapshot);
    expect(c?.verdict).toBe("unknown");
    expect(c?.walPerCheckpointBytes).toBeNull();
    const [finding] = healthFindings(checkpoints, "pg15", { snapshot });
    expect(finding?.severity).toBe("info");
    expect(finding?.fix).toBeUndefined();
    expect(finding?.title).toContain("the cause is not measured");
    expect(finding?.detail).toContain("cover different periods");
    expect(finding?.detail).toContain("pg_stat_reset_shared('wal')");
  });

  it("a standby: restartpoints follow the primary's WAL, so the cause is not measured here", () => {
    const snapshot = withCounters({
      timed: 10,
      requested: 90,
      statsResetAt: reset,
      walBytes: 0,
      walStatsResetAt: reset,
      serverNow: now,
    });
    const standby = { ...snapshot, replication: { ...snapshot.replication, inRecovery: true } };
    expect(analyzeCheckpoints(standby)?.verdict).toBe("unknown");
    const [finding] = healthFindings(checkpoints, "pg15", { snapshot: standby });
    expect(finding?.fix).toBeUndefined();
    expect(finding?.detail).toContain("standby");
    // The same counters on a primary: 0 bytes of WAL cannot have forced any checkpoint.
    expect(analyzeCheckpoints(snapshot)?.verdict).toBe("other-causes");
  });

  it("a snapshot without pg_stat_wal (older dbopt or PostgreSQL 13) says the cause is not measured", () => {
    const [finding] = healthFindings(checkpoints, "pg15", {
      options: { minCheckpoints: 1 },
    });
    expect(finding?.title).toContain("the cause is not measured");
    expect(finding?.detail).toContain("pg_stat_wal is in PostgreSQL 14");
  });
});
