import { describe, expect, it } from "vitest";
import {
  judgeRegression,
  regularizedBeta,
  studentUpperTail,
  welchTest,
  windowFigures,
} from "./window-statistics.js";

/** The totals the store keeps for a list of call times. */
function totals(times: number[]) {
  return {
    calls: times.length,
    totalMs: times.reduce((a, b) => a + b, 0),
    sumSqMs: times.reduce((a, b) => a + b * b, 0),
  };
}

/** A deterministic spread of call times around `mean` (±spread). */
function calls(n: number, mean: number, spread: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return mean + spread * ((s / 2_147_483_648) * 2 - 1);
  });
}

describe("window statistics", () => {
  it("gives a window's mean and sample stddev from calls, total and sum of squares", () => {
    const f = windowFigures(totals([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(f.meanMs).toBeCloseTo(5, 10);
    // sample stddev of that list: sqrt(32/7)
    expect(f.stddevMs).toBeCloseTo(Math.sqrt(32 / 7), 10);
  });

  it("matches Student's t tail values from tables", () => {
    expect(studentUpperTail(2.228, 10)).toBeCloseTo(0.025, 3);
    expect(studentUpperTail(1.96, 1e6)).toBeCloseTo(0.025, 3);
    expect(studentUpperTail(0, 5)).toBeCloseTo(0.5, 10);
    expect(studentUpperTail(-2.228, 10)).toBeCloseTo(0.975, 3);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 10);
  });

  it("computes Welch's t and its degrees of freedom as a textbook does", () => {
    // Welch (1947)-style example: two small samples with unequal variances
    const a = windowFigures(
      totals([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]),
    );
    const b = windowFigures(
      totals([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]),
    );
    const w = welchTest(a, b);
    expect(w.t).toBeCloseTo(2.46, 2);
    expect(w.degreesOfFreedom).toBeCloseTo(24.98, 1);
    expect(w.p).toBeCloseTo(0.0106, 3);
  });

  it("flags a statement 10× slower over enough calls, and says why", () => {
    const j = judgeRegression(totals(calls(500, 0.2, 0.05)), totals(calls(500, 2, 0.5, 7)));
    expect(j.regressed).toBe(true);
    expect(j.ratio).toBeCloseTo(10, 0);
    expect(j.addedMs).toBeGreaterThan(800);
    expect(j.reason).toMatch(/Welch's t = \d/);
  });

  it("does not flag jitter: the same distribution in both windows", () => {
    for (let seed = 1; seed < 50; seed++) {
      const j = judgeRegression(totals(calls(2000, 1, 0.9, seed)), totals(calls(2000, 1, 0.9, seed + 1000)));
      expect(j.regressed).toBe(false);
    }
  });

  it("does not flag a slower mean with few calls, a small effect or a wide spread", () => {
    expect(judgeRegression(totals(calls(10, 1, 0.1)), totals(calls(10, 5, 0.1))).reason).toMatch(
      /fewer than 30/,
    );
    expect(judgeRegression(totals(calls(5000, 1, 0.1)), totals(calls(5000, 1.2, 0.1))).reason).toMatch(
      /under 1.5×/,
    );
    // 2× slower on average, but calls spread from 0 to 40 ms: t stays small
    const wide = judgeRegression(totals(calls(40, 5, 5)), totals([...calls(39, 5, 5, 3), 200]));
    expect(wide.regressed).toBe(false);
    expect(wide.reason).toMatch(/within noise/);
  });
});
