/**
 * A p95 call time estimated from what pg_stat_statements keeps: calls, total time and the sum of squares (from its
 * mean and stddev). Call times are skewed to the right, so they are taken as log-normal with that mean and stddev
 * (σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2) and the 95th percentile is exp(μ + 1.645σ). It is an estimate of the
 * shape, not a measured percentile: the page says so.
 */
const Z95 = 1.6448536269514722;

export const P95_METHOD =
  "p95 is estimated, not measured: pg_stat_statements keeps each statement's mean and stddev, not its percentiles; " +
  "call times are taken as log-normal with the point's mean and stddev (pooled over its samples), and p95 = exp(μ + 1.645σ).";

export function p95Estimate(calls: number, totalMs: number, sumSqMs: number): number | null {
  if (!(calls > 0) || !(totalMs > 0)) return null;
  const mean = totalMs / calls;
  const variance = Math.max(0, sumSqMs / calls - mean * mean);
  const sigma2 = Math.log(1 + variance / (mean * mean));
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Z95 * Math.sqrt(sigma2));
}
