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

  it("says the samples came from the store, over how many days, and who held the most connections", () => {
    const samples = [
      sampleOf({ idle: 40, active: 2 }),
      sampleOf({ idle: 44, active: 1 }),
      sampleOf({ idle: 41 }),
    ];
    const [f] = run(
      scalingFacts({
        activity: {
          samples,
          intervalMs: 60_000,
          maxConnections: 200,
          reservedConnections: 3,
          sessionTotals: null,
          stored: {
            store: "postgresql://store",
            firstAt: "2026-11-25T10:00:00.000Z",
            lastAt: "2026-12-02T09:59:00.000Z",
            days: 8,
            maxConnectionsSeen: [100, 200],
            busiestClients: [
              {
                application: "idle-holder",
                user: "app",
                clientAddr: "10.0.0.9",
                state: "idle",
                connections: 44,
              },
              { application: "web", user: "app", clientAddr: null, state: "active", connections: 1 },
            ],
          },
        },
        machine: { cpus: 2 },
      }),
    );
    expect(f?.evidence).toMatchObject({
      samplesFrom: "store",
      storedDays: 8,
      samples: 3,
      maxConnections: 45,
    });
    expect(f?.detail).toMatch(
      /^3 samples dbopt collect stored over 8 days \(2026-11-25 10:00 to 2026-12-02 09:59 UTC, about 1\.0 min apart\)/,
    );
    // Groups of one connection say nothing about who holds the pool's connections.
    expect(f?.detail).toMatch(
      /At the busiest sample: 44 idle from application "idle-holder", user app, 10\.0\.0\.9\./,
    );
    expect(f?.detail).toMatch(/max_connections changed within the window \(100, 200\)/);
  });

  it("names the largest groups of the busiest live sample", () => {
    const [f] = run(
      scalingFacts({
        activity: {
          samples: [sampleOf({ idle: 3 }), sampleOf({ idle: 30 })],
          intervalMs: 500,
          maxConnections: 100,
          reservedConnections: 3,
          sessionTotals: null,
        },
        machine: { cpus: 2 },
      }),
    );
    expect(f?.evidence.samplesFrom).toBe("live");
    expect(f?.detail).toMatch(
      /At the busiest sample: 30 idle from application "app", user app, 10\.0\.0\.7\./,
    );
  });
});
