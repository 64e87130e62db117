/**
 * One value for a parameter, drawn so that many draws follow the column's real distribution: pg_stats' most
 * common values by their frequencies, the rest spread uniformly over the histogram's buckets (each holds the same
 * share of the other rows), NULL by null_frac where a NULL can be meant. Without statistics, a sample of the
 * column's values stands in (each sampled row is as likely as any other).
 */
import type { ColumnStats } from "../../facts/snapshot.js";

/** A drawn value as text, or null for SQL NULL. */
export type DrawnValue = string | null;

const NUMERIC_TYPES = /^(smallint|integer|bigint|numeric|real|double precision)(\(|$)/;

/**
 * A value from pg_stats, or undefined when they hold neither common values nor a histogram. `allowNull`: a value
 * written may be NULL; a value compared with `=` or `<` would match nothing, so predicates do not draw it.
 */
export function drawFromStatistics(
  stats: ColumnStats,
  type: string,
  random: () => number,
  allowNull: boolean,
): DrawnValue | undefined {
  const mcv = stats.mostCommonValues ?? [];
  const mcf = stats.mostCommonFreqs ?? [];
  const hist = stats.histogramBounds ?? [];
  const nullShare = allowNull ? stats.nullFrac : 0;
  const commonShare = mcf.reduce((a, b) => a + b, 0);
  // The histogram describes the rows that are neither NULL nor a common value.
  const histShare = hist.length >= 2 ? Math.max(0, 1 - stats.nullFrac - commonShare) : 0;
  const total = nullShare + (mcv.length ? commonShare : 0) + histShare;
  if (total <= 0) return allowNull && stats.nullFrac >= 1 ? null : undefined;
  let u = random() * total;
  if (u < nullShare) return null;
  u -= nullShare;
  if (mcv.length && u < commonShare) {
    for (const [i, f] of mcf.entries()) {
      if (u < f) return mcv[i] ?? null;
      u -= f;
    }
    return mcv[mcv.length - 1] ?? null;
  }
  return fromHistogram(hist, type, random);
}

/** A bucket chosen uniformly; a number between its bounds for numeric types, else one of its bounds. */
function fromHistogram(hist: readonly string[], type: string, random: () => number): string {
  const bucket = Math.min(hist.length - 2, Math.floor(random() * (hist.length - 1)));
  const low = hist[bucket] as string;
  const high = hist[bucket + 1] as string;
  if (NUMERIC_TYPES.test(type)) {
    const a = Number(low);
    const b = Number(high);
    if (Number.isFinite(a) && Number.isFinite(b)) {
      const v = a + (b - a) * random();
      return /^(smallint|integer|bigint)$/.test(type) ? String(Math.floor(v)) : String(v);
    }
  }
  return random() < 0.5 ? low : high;
}

/** A value of a sample taken from the column, each row equally likely. */
export function drawFromSample(sample: readonly DrawnValue[], random: () => number): DrawnValue | undefined {
  if (sample.length === 0) return undefined;
  return sample[Math.min(sample.length - 1, Math.floor(random() * sample.length))] ?? null;
}

/** What a LIKE parameter looks like: the start of a real value, then %. */
export function likePattern(value: string): string {
  return `${value.slice(0, Math.min(3, value.length)).replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}
