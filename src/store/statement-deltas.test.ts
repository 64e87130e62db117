import { describe, expect, it } from "vitest";
import {
  COUNTER_FIELDS,
  counterRestart,
  type StatementCounters,
  statementDelta,
} from "./statement-deltas.js";

function counters(calls: number, totalMs: number, more: Partial<StatementCounters> = {}): StatementCounters {
  return {
    calls,
    totalMs,
    sumSqMs: calls * 4,
    rows: calls,
    planMs: 0,
    sharedBlksHit: calls * 3,
    sharedBlksRead: 0,
    sharedBlksDirtied: 0,
    sharedBlksWritten: 0,
    tempBlksRead: 0,
    tempBlksWritten: 0,
    blkReadMs: 0,
    blkWriteMs: 0,
    ...more,
  };
}

const at = new Date("2026-12-02T10:00:00Z");
const later = new Date("2026-12-02T10:05:00Z");

describe("statementDelta", () => {
  it("subtracts the previous counters while the entry lives", () => {
    const d = statementDelta({
      current: counters(150, 300.5),
      previous: { counters: counters(100, 200.25), readAt: at },
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: null,
    });
    expect(d?.restarted).toBe(false);
    expect(d?.delta.calls).toBe(50);
    expect(d?.delta.totalMs).toBeCloseTo(100.25);
    expect(d?.delta.sharedBlksHit).toBe(150);
    expect(d?.delta.sumSqMs).toBe(200);
  });

  it("takes what a reset or evicted entry holds now when its counters went down: never negative", () => {
    const d = statementDelta({
      current: counters(7, 14),
      previous: { counters: counters(100, 200), readAt: at },
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: null,
    });
    expect(d).toEqual({ delta: counters(7, 14), restarted: true });
    for (const f of COUNTER_FIELDS) expect(d?.delta[f]).toBeGreaterThanOrEqual(0);
  });

  it("takes the whole counters after a server restart or a full reset, even when they grew past the old ones", () => {
    const d = statementDelta({
      current: counters(500, 1000),
      previous: { counters: counters(100, 200), readAt: at },
      targetHasPrevious: true,
      restartedAll: true,
      statsSince: null,
    });
    // 400 would be wrong: the 100 before the restart are gone, all 500 happened since.
    expect(d?.delta.calls).toBe(500);
    expect(d?.restarted).toBe(true);
  });

  it("trusts PostgreSQL 17's stats_since: an entry younger than the previous sample counts whole", () => {
    const d = statementDelta({
      current: counters(300, 600),
      previous: { counters: counters(100, 200), readAt: at },
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: later,
    });
    expect(d?.delta.calls).toBe(300);
    const same = statementDelta({
      current: counters(300, 600),
      previous: { counters: counters(100, 200), readAt: later },
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: at,
    });
    expect(same?.delta.calls).toBe(200);
  });

  it("counts a new entry whole, and gives no delta on a target's first sample", () => {
    const fresh = statementDelta({
      current: counters(3, 9),
      previous: null,
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: null,
    });
    expect(fresh).toEqual({ delta: counters(3, 9), restarted: false });
    expect(
      statementDelta({
        current: counters(3, 9),
        previous: null,
        targetHasPrevious: false,
        restartedAll: false,
        statsSince: null,
      }),
    ).toBeNull();
  });

  it("does not read a float rounding of the total time as a reset, nor make it negative", () => {
    const d = statementDelta({
      current: counters(100, 200 - 1e-12),
      previous: { counters: counters(100, 200), readAt: at },
      targetHasPrevious: true,
      restartedAll: false,
      statsSince: null,
    });
    expect(d?.restarted).toBe(false);
    expect(d?.delta.totalMs).toBe(0);
    expect(d?.delta.calls).toBe(0);
  });
});

describe("counterRestart", () => {
  it("names a server restart or a full reset after the previous sample, else null", () => {
    expect(counterRestart(at, later, null)).toBe("server restart");
    expect(counterRestart(at, new Date("2026-01-01T00:00:00Z"), later)).toBe("statistics reset");
    expect(counterRestart(later, at, at)).toBeNull();
  });
});
