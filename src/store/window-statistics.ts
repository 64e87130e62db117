/**
 * Is a statement's mean time in one window of samples beyond the noise of another? pg_stat_statements keeps, per
 * entry, calls, total time and the stddev of a call's time; the store keeps them per sample as calls, total_ms and
 * sum_sq_ms (the sum of squared call times), which add up across samples. So a window's mean and variance are
 * exact over every call in it, and two windows are compared with Welch's t-test (unequal variances,
 * Welch–Satterthwaite degrees of freedom).
 */

import {
  type CallTotals,
  type WelchResult,
  type WindowFigures,
  welchTest,
  windowFigures,
} from "../util/welch-test.js";

export { regularizedBeta, studentUpperTail, welchTest, windowFigures } from "../util/welch-test.js";
export type { CallTotals, WelchResult, WindowFigures };

/** When a slower mean counts as a regression. Every threshold must hold; "must not cry wolf". */
export interface RegressionThresholds {
  /** Calls in each window, at least: fewer say too little about a mean. */
  minCalls: number;
  /** After's mean over before's, at least (1.5: 50% slower). */
  minRatio: number;
  /** After's mean minus before's, at least, in ms per call: microseconds of jitter are not a regression. */
  minDeltaMs: number;
  /** Welch's t, at least (one-sided p below about 3e-5 for large samples). */
  minT: number;
  /** Time the slower mean added over the recent window, at least, in ms. */
  minAddedMs: number;
}

export const DEFAULT_THRESHOLDS: RegressionThresholds = {
  minCalls: 30,
  minRatio: 1.5,
  minDeltaMs: 0.05,
  minT: 4,
  minAddedMs: 100,
};

export interface RegressionJudgement {
  before: WindowFigures;
  after: WindowFigures;
  welch: WelchResult;
  ratio: number;
  /** (after mean − before mean) × after calls: the time the change cost over the recent window. */
  addedMs: number;
  regressed: boolean;
  /** Why it is flagged, or the first threshold it missed. */
  reason: string;
}

export function judgeRegression(
  beforeTotals: CallTotals,
  afterTotals: CallTotals,
  thresholds: RegressionThresholds = DEFAULT_THRESHOLDS,
): RegressionJudgement {
  const before = windowFigures(beforeTotals);
  const after = windowFigures(afterTotals);
  const welch = welchTest(before, after);
  const ratio = before.meanMs > 0 ? after.meanMs / before.meanMs : Number.POSITIVE_INFINITY;
  const delta = after.meanMs - before.meanMs;
  const addedMs = Math.max(0, delta * after.calls);
  const base = { before, after, welch, ratio, addedMs };
  const miss = (reason: string): RegressionJudgement => ({ ...base, regressed: false, reason });
  if (before.calls < thresholds.minCalls || after.calls < thresholds.minCalls)
    return miss(`fewer than ${thresholds.minCalls} calls in a window`);
  if (ratio < thresholds.minRatio)
    return miss(`mean changed ${ratio.toFixed(2)}×, under ${thresholds.minRatio}×`);
  if (delta < thresholds.minDeltaMs)
    return miss(`mean grew ${delta.toFixed(3)} ms, under ${thresholds.minDeltaMs} ms`);
  if (welch.t < thresholds.minT)
    return miss(`Welch's t ${welch.t.toFixed(1)}, under ${thresholds.minT}: within noise`);
  if (addedMs < thresholds.minAddedMs)
    return miss(`added ${addedMs.toFixed(0)} ms over the window, under ${thresholds.minAddedMs} ms`);
  const t = Number.isFinite(welch.t) ? welch.t.toFixed(1) : "∞";
  return {
    ...base,
    regressed: true,
    reason: `mean ${after.meanMs.toFixed(3)} ms over ${after.calls} calls, was ${before.meanMs.toFixed(3)} ms over ${before.calls} (${ratio.toFixed(1)}× slower); Welch's t = ${t}, p = ${welch.p.toExponential(1)}, beyond ${thresholds.minT}`,
  };
}
