/**
 * Is variant B faster than variant A, beyond noise? Each variant ran several rounds, interleaved (A B, B A, …) so
 * that a drift of the machine's load weighs on both alike; the rounds' figures (throughput, or a statement's mean
 * latency) are compared with Welch's t-test, two-sided, on their logarithms: a variant changes speed by a factor,
 * and a round's noise is a share of its figure, so on the log scale both variants spread alike (with two or three
 * rounds, raw figures 30 times apart have spreads so unequal that Welch's degrees of freedom fall to one). Rounds,
 * not calls, are the samples: calls within a round share its moment's load and are not independent, so their
 * count would make any difference "significant".
 */
import { twoSidedP, welchTest, windowFigures } from "../../util/welch-test.js";

export interface Verdict {
  /** How many times faster B is than A (below 1: slower). */
  speedup: number;
  p: number;
  significant: boolean;
  /** "B is 1.8× faster (p < 0.001)", or "no significant difference (p = 0.42)". */
  text: string;
}

/** p below this is a difference. 1%: an A/A comparison should almost never call one variant faster. */
export const SIGNIFICANCE = 0.01;

function figures(values: readonly number[]) {
  return windowFigures({
    calls: values.length,
    totalMs: values.reduce((a, b) => a + b, 0),
    sumSqMs: values.reduce((a, b) => a + b * b, 0),
  });
}

/**
 * Compare per-round values of A and B. `higherIsFaster`: throughput (true) or latency (false). Needs two rounds
 * of each at least.
 */
export function compareRounds(a: readonly number[], b: readonly number[], higherIsFaster: boolean): Verdict {
  const fa = figures(a);
  const fb = figures(b);
  const speedup =
    (higherIsFaster ? fb.meanMs / fa.meanMs : fa.meanMs / fb.meanMs) ||
    (fa.meanMs === fb.meanMs ? 1 : Number.NaN);
  if (a.length < 2 || b.length < 2)
    return { speedup, p: 1, significant: false, text: "too few rounds to compare (two of each at least)" };
  const positive = [...a, ...b].every((v) => v > 0);
  const p = positive ? twoSidedP(welchTest(figures(a.map(Math.log)), figures(b.map(Math.log)))) : 1;
  const significant = p < SIGNIFICANCE && Number.isFinite(speedup) && speedup !== 1;
  const shownP = p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`;
  if (!significant) return { speedup, p, significant, text: `no significant difference (${shownP})` };
  const factor = speedup >= 1 ? speedup : 1 / speedup;
  const shown = factor >= 10 ? factor.toFixed(0) : factor.toFixed(factor >= 1.1 ? 1 : 2);
  return {
    speedup,
    p,
    significant,
    text: `B is ${shown}× ${speedup >= 1 ? "faster" : "slower"} (${shownP})`,
  };
}
