import { describe, expect, it } from "vitest";
import { sampleOf, scalingFacts } from "../../../test/support/scaling-harness.js";
import { defaultOptions } from "../rule.js";
import { poolSize } from "./pool-size.js";

const run = (facts: Parameters<typeof poolSize.check>[0]) => poolSize.check(facts, defaultOptions(poolSize));

describe("architecture/pool-size", () => {
  it("advises a pool of cores × 2 + spindles when most connections sit idle", () => {
    const samples = [
      sampleOf({ idle: 55, active: 3 }),
      sampleOf({ idle: 52, active: 6 }),
      sampleOf({ idle: 58 }),
    ];
    const [f] = run(
      scalingFacts({
        activity: {
          samples,
          intervalMs: 1000,
          maxConnections: 100,
          reservedConnections: 3,
          sessionTotals: {
            sessions: 120,
            sessionTimeMs: 3_600_000,
            activeTimeMs: 36_000,
            idleInTransactionTimeMs: 4_000,
            transactions: 20_000,
            statsReset: null,
          },
        },
        machine: { cpus: 4 },
      }),
    );
    expect(f?.severity).toBe("warning");
    expect(f?.evidence).toMatchObject({ maxConnections: 58, maxActive: 6, poolSize: 9, cores: 4 });
    expect(f?.title).toBe("58 connections held, 95% idle: a pool of 9 would serve them");
    // 40 s of transaction time over 20,000 transactions: 2 ms each, 9 connections serve ~4,500 a second.
    expect(f?.evidence.meanTransactionMs).toBe(2);
    expect(f?.evidence.poolTransactionsPerSecond).toBe(4500);
    expect(f?.fix?.note).toMatch(/default_pool_size = 9/);
  });

  it("is an error with little headroom under max_connections", () => {
    const [f] = run(
      scalingFacts({
        activity: {
          samples: [sampleOf({ active: 40, idle: 52 })],
          intervalMs: 1000,
          maxConnections: 100,
          reservedConnections: 3,
          sessionTotals: null,
        },
        machine: { cpus: 8 },
      }),
    );
    expect(f?.severity).toBe("error");
    expect(f?.evidence.headroomShare).toBeCloseTo(5 / 97, 3);
  });

  it("sizes from the measured peak without the core count, and says to give it", () => {
    const [f] = run(
      scalingFacts({
        activity: {
          samples: [sampleOf({ active: 12, idle: 2 }), sampleOf({ active: 7, idle: 7 })],
          intervalMs: 500,
          maxConnections: 100,
          reservedConnections: 3,
          sessionTotals: null,
        },
      }),
    );
    expect(f?.severity).toBe("info");
    expect(f?.evidence.poolSize).toBe(12);
    expect(f?.detail).toMatch(/give --cpus/);
  });

  it("says nothing without samples", () => {
    expect(run(scalingFacts({}))).toEqual([]);
  });
});
