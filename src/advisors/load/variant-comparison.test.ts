import { describe, expect, it } from "vitest";
import { compareRounds } from "./variant-comparison.js";

describe("compareRounds", () => {
  it("calls a clear throughput gain significant, with its factor", () => {
    const v = compareRounds([1000, 1040, 980, 1010], [1820, 1790, 1850, 1800], true);
    expect(v.significant).toBe(true);
    expect(v.speedup).toBeCloseTo(1.8, 2);
    expect(v.text).toBe("B is 1.8× faster (p < 0.001)");
  });

  it("reads lower latency as faster, and says slower when B is", () => {
    const faster = compareRounds([2.0, 2.1, 1.9], [0.5, 0.52, 0.49], false);
    expect(faster.text).toMatch(/^B is 4\.0× faster/);
    const slower = compareRounds([0.5, 0.52, 0.49], [2.0, 2.1, 1.9], false);
    expect(slower.text).toMatch(/^B is 4\.0× slower/);
  });

  it("finds no difference in rounds that overlap", () => {
    const v = compareRounds([1000, 1200, 900, 1100], [1050, 950, 1150, 1000], true);
    expect(v.significant).toBe(false);
    expect(v.text).toMatch(/^no significant difference \(p = 0\.\d+\)$/);
  });

  it("needs two rounds of each", () => {
    expect(compareRounds([1000], [2000], true).significant).toBe(false);
  });
});
