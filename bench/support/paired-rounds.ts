/**
 * Statistics of interleaved A/B rounds for the bench scripts. Each round runs both tools one after the other (the
 * order alternating), so a round's ratio compares two runs seconds apart: a drift of the machine's load falls on
 * both. Two figures are given, as they answer different questions: the median of the rounds' ratios (paired:
 * robust to drift between rounds, but each ratio carries both runs' noise) and the ratio of the medians (each
 * tool's typical throughput: steadier per tool, but a drift that hits one tool's rounds more shows in it).
 */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear interpolation between the closest ranks (the usual "type 7" quantile). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (at - lo);
}

export interface PairedSummary {
  medianA: number;
  medianB: number;
  /** median(B) / median(A). */
  ratioOfMedians: number;
  /** The rounds' B / A: median, quartiles, extremes. */
  medianRatio: number;
  lowerQuartile: number;
  upperQuartile: number;
  lowest: number;
  highest: number;
}

export function pairedSummary(rounds: ReadonlyArray<{ a: number; b: number }>): PairedSummary {
  const ratios = rounds.map((r) => r.b / r.a);
  const medianA = median(rounds.map((r) => r.a));
  const medianB = median(rounds.map((r) => r.b));
  return {
    medianA,
    medianB,
    ratioOfMedians: medianB / medianA,
    medianRatio: median(ratios),
    lowerQuartile: quantile(ratios, 0.25),
    upperQuartile: quantile(ratios, 0.75),
    lowest: Math.min(...ratios),
    highest: Math.max(...ratios),
  };
}
