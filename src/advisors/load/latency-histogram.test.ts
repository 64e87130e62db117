import { describe, expect, it } from "vitest";
import { seededRandom } from "../../util/seeded-random.js";
import { LatencyHistogram } from "./latency-histogram.js";

function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe("LatencyHistogram", () => {
  it("gives percentiles within 1.6% of the exact ones over six orders of magnitude", () => {
    const random = seededRandom(1);
    const h = new LatencyHistogram();
    const all: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // log-uniform from 1 µs to 1 s
      const ms = 10 ** (random() * 6 - 3);
      h.record(ms);
      all.push(ms);
    }
    all.sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactPercentile(all, q);
      const got = h.percentileMs(q);
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.016 + 0.001 / exact);
    }
    const s = h.summary();
    expect(s.calls).toBe(50_000);
    expect(s.maxMs).toBe(all[all.length - 1]);
    expect(s.minMs).toBe(all[0]);
    expect(s.meanMs).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 9);
    expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
    expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
    expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
  });

  it("merges by adding, through its plain state too", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const both = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 2 ? a : b).record(i / 100);
      both.record(i / 100);
    }
    const merged = LatencyHistogram.from(a.state());
    merged.merge(b);
    const { meanMs, stddevMs, ...rest } = merged.summary();
    const { meanMs: bothMean, stddevMs: bothStddev, ...bothRest } = both.summary();
    expect(rest).toEqual(bothRest);
    expect(meanMs).toBeCloseTo(bothMean, 9);
    expect(stddevMs).toBeCloseTo(bothStddev, 9);
  });

  it("is empty again after reset, and then records as a new one", () => {
    const reused = new LatencyHistogram();
    for (let i = 1; i <= 500; i++) reused.record(i * 3.7);
    reused.reset();
    expect(reused.state()).toEqual(new LatencyHistogram().state());
    const fresh = new LatencyHistogram();
    for (const ms of [0.25, 1.5, 40]) {
      reused.record(ms);
      fresh.record(ms);
    }
    expect(reused.summary()).toEqual(fresh.summary());
  });

  it("summarises an empty histogram as zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({
      calls: 0,
      meanMs: 0,
      stddevMs: 0,
      minMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });
});
