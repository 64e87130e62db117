import { describe, expect, it } from "vitest";
import { p95Estimate } from "./p95-estimate.js";

describe("p95Estimate", () => {
  it("is the mean when every call took the same time", () => {
    expect(p95Estimate(10, 50, 10 * 25)).toBeCloseTo(5, 9);
  });

  it("matches the 95th percentile of log-normal call times drawn with a known mean and stddev", () => {
    // Log-normal with mu = 1, sigma = 0.5: exact p95 = exp(1 + 1.645 * 0.5).
    const mu = 1;
    const sigma = 0.5;
    const mean = Math.exp(mu + sigma ** 2 / 2);
    const variance = (Math.exp(sigma ** 2) - 1) * Math.exp(2 * mu + sigma ** 2);
    const calls = 1000;
    const estimate = p95Estimate(calls, calls * mean, calls * (variance + mean ** 2));
    expect(estimate).toBeCloseTo(Math.exp(mu + 1.6448536 * sigma), 5);
  });

  it("has nothing to say about a point without calls", () => {
    expect(p95Estimate(0, 0, 0)).toBeNull();
  });
});
