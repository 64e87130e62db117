/**
 * Welch's t-test (unequal variances, Welch–Satterthwaite degrees of freedom) on two groups known by their count,
 * mean and standard deviation, with Student's t tail. The history store judges regressions with it
 * (store/window-statistics.ts), `dbopt bench` its A/B comparisons.
 */

/** calls, total and sum of squared call times over some samples. */
export interface CallTotals {
  calls: number;
  totalMs: number;
  sumSqMs: number;
}

export interface WindowFigures {
  calls: number;
  meanMs: number;
  /** Sample standard deviation of one call's time. */
  stddevMs: number;
}

export function windowFigures(t: CallTotals): WindowFigures {
  if (t.calls <= 0) return { calls: 0, meanMs: 0, stddevMs: 0 };
  const mean = t.totalMs / t.calls;
  // Rounding in the server's running sums can leave a tiny negative variance.
  const population = Math.max(0, t.sumSqMs / t.calls - mean * mean);
  const variance = t.calls > 1 ? (population * t.calls) / (t.calls - 1) : 0;
  return { calls: t.calls, meanMs: mean, stddevMs: Math.sqrt(variance) };
}

export interface WelchResult {
  t: number;
  degreesOfFreedom: number;
  /** One-sided p-value of "after is slower than before". */
  p: number;
}

/** Welch's t of after's mean over before's. Two windows whose calls all took exactly the same time give t = ±∞ or 0. */
export function welchTest(before: WindowFigures, after: WindowFigures): WelchResult {
  const v1 = before.stddevMs ** 2 / before.calls;
  const v2 = after.stddevMs ** 2 / after.calls;
  const se = Math.sqrt(v1 + v2);
  const diff = after.meanMs - before.meanMs;
  if (se === 0) {
    const t = diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return { t, degreesOfFreedom: before.calls + after.calls - 2, p: diff > 0 ? 0 : diff < 0 ? 1 : 0.5 };
  }
  const t = diff / se;
  const df =
    (v1 + v2) ** 2 /
    ((before.calls > 1 ? v1 ** 2 / (before.calls - 1) : 0) +
      (after.calls > 1 ? v2 ** 2 / (after.calls - 1) : 0));
  const degreesOfFreedom = Number.isFinite(df) && df > 0 ? df : before.calls + after.calls - 2;
  return { t, degreesOfFreedom, p: studentUpperTail(t, degreesOfFreedom) };
}

/** P(T > t) for Student's t with `df` degrees of freedom. */
export function studentUpperTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1;
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** I_x(a, b), the regularized incomplete beta function, by its continued fraction (Numerical Recipes, betacf). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast on this side; use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) on the other.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-12) break;
  }
  return h;
}

/** ln Γ(x), Lanczos approximation (g = 7, 9 terms). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Two-sided p-value of a Welch result: how likely a difference at least this large is when the means are equal. */
export function twoSidedP(result: WelchResult): number {
  if (!Number.isFinite(result.t)) return result.t === 0 ? 1 : 0;
  const upper = studentUpperTail(Math.abs(result.t), result.degreesOfFreedom);
  return Math.min(1, 2 * upper);
}
