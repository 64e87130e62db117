/**
 * The two bounds of one range request drawn together: `col >= $1 AND col < $2` on the same column gets a lower
 * bound at a quantile q of the column's pg_stats histogram and an upper bound at q + share, so the range holds about
 * `share` of the rows, as a real request does. Drawn apart, the bounds span half the table on average (and an upper
 * below the lower half the time), which hides the pruning a partitioned layout gives.
 */
import type { ColumnStats } from "../../facts/snapshot.js";
import type { ParameterSlot } from "./parameter-columns.js";

export interface RangePair {
  lower: number;
  upper: number;
  /** schema.table.column */
  column: string;
}

/** Parameters that bound one column from below and from above in the same statement, paired. */
export function rangePairs(slots: readonly ParameterSlot[]): RangePair[] {
  const key = (s: ParameterSlot) =>
    s.column ? `${s.column.schema}.${s.column.table}.${s.column.name}` : null;
  const side = (s: ParameterSlot) =>
    s.use?.kind !== "range" || s.use.underOr
      ? null
      : s.use.operator === ">" || s.use.operator === ">="
        ? "lower"
        : s.use.operator === "<" || s.use.operator === "<="
          ? "upper"
          : null;
  const pairs: RangePair[] = [];
  const used = new Set<number>();
  for (const low of slots) {
    if (side(low) !== "lower" || !key(low) || used.has(low.n)) continue;
    const high = slots.find((s) => !used.has(s.n) && side(s) === "upper" && key(s) === key(low));
    if (!high) continue;
    used.add(low.n);
    used.add(high.n);
    pairs.push({ lower: low.n, upper: high.n, column: key(low) as string });
  }
  return pairs;
}

/** The rows' share one histogram bucket holds: what a range is given when no better width is known. */
export function bucketShare(stats: ColumnStats): number | null {
  const bounds = stats.histogramBounds?.length ?? 0;
  return bounds >= 2 ? 1 / (bounds - 1) : null;
}

/**
 * A lower and an upper bound `share` of the histogram apart, the lower at a uniform quantile; values between two
 * bounds are interpolated for numbers, dates and timestamps (else the bucket's bound is taken). Null without a
 * histogram.
 */
export function drawRange(
  stats: ColumnStats,
  type: string,
  share: number,
  random: () => number,
): [string, string] | null {
  const hist = stats.histogramBounds ?? [];
  if (hist.length < 2) return null;
  const width = Math.min(1, Math.max(0, share));
  const q = random() * (1 - width);
  return [quantile(hist, type, q, "down"), quantile(hist, type, q + width, "up")];
}

function quantile(hist: readonly string[], type: string, q: number, round: "down" | "up"): string {
  const at = q * (hist.length - 1);
  const i = Math.min(hist.length - 2, Math.floor(at));
  const low = hist[i] as string;
  const high = hist[i + 1] as string;
  const f = at - i;
  const between = interpolate(low, high, f, type);
  if (between !== null) return between;
  return round === "down" ? (f >= 1 ? high : low) : f <= 0 ? low : high;
}

const INTEGER = /^(smallint|integer|bigint)$/;
const NUMBER = /^(numeric|real|double precision)(\(|$)/;
const TIMESTAMP = /^timestamp(\(\d\))? with(out)? time zone$/;

function interpolate(low: string, high: string, f: number, type: string): string | null {
  if (INTEGER.test(type) || NUMBER.test(type)) {
    const a = Number(low);
    const b = Number(high);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    const v = a + (b - a) * f;
    return INTEGER.test(type) ? String(Math.round(v)) : String(v);
  }
  if (TIMESTAMP.test(type) || type === "date") {
    const a = instant(low);
    const b = instant(high);
    if (a === null || b === null) return null;
    const iso = new Date(Math.round(a + (b - a) * f)).toISOString();
    if (type === "date") return iso.slice(0, 10);
    // timestamptz takes the instant in UTC; a timestamp without time zone, the same wall-clock digits.
    return type.includes("without") ? iso.slice(0, -1) : iso;
  }
  return null;
}

/** Milliseconds of a date or timestamp as PostgreSQL prints it (ISO DateStyle), its offset applied; else null. */
function instant(text: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(\.\d+)?)?(?:([+-])(\d\d)(?::?(\d\d))?)?$/.exec(
    text,
  );
  if (!m) return null;
  const utc = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Math.round(Number(m[7] ?? 0) * 1000),
  );
  const offset = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60_000 : 0;
  return utc - offset;
}
