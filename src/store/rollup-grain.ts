/**
 * Which stored table a page reads for a time range, so every chart has at most ~600 points and every sum reads
 * few rows: samples for short ranges, the hourly or daily rollups (migration 003) for long ones. Pure; the SQL is in
 * read-dashboard.ts.
 */
export type Grain = "sample" | "hour" | "day";

export interface Range {
  from: Date;
  to: Date;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Chart points a page aims at: enough to see a spike, few enough to draw and send at once. */
export const MAX_POINTS = 600;

/** Bin widths people read easily, each a whole number of its grain. */
const STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  20 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  4 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  30 * DAY,
];

export interface ChartBins {
  /** The table the points come from. */
  grain: Grain;
  /** Width of one point; 0 when each sample is its own point. */
  stepMs: number;
}

/**
 * How to draw `range` holding `samples` samples: each sample when they are few enough, else the smallest easy bin
 * width that gives at most MAX_POINTS points, read from the coarsest grain that still divides it.
 */
export function chartBins(range: Range, samples: number): ChartBins {
  if (samples <= MAX_POINTS) return { grain: "sample", stepMs: 0 };
  const span = range.to.getTime() - range.from.getTime();
  const least = span / MAX_POINTS;
  const step = STEPS.find((s) => s >= least) ?? Math.ceil(least / DAY) * DAY;
  // A coarser grain as soon as it still gives a readable chart (150 points): fewer rows to read.
  if (span / DAY >= 150 || step >= DAY) return { grain: "day", stepMs: Math.max(step, DAY) };
  if (span / HOUR >= 150 || step >= HOUR) return { grain: "hour", stepMs: Math.max(step, HOUR) };
  return { grain: "sample", stepMs: step };
}

/** "sample", "20 min", "2 h", "1 day": what one point of a chart covers. */
export function binLabel(bins: ChartBins): string {
  const s = bins.stepMs;
  if (s === 0) return "sample";
  if (s >= DAY) return s === DAY ? "day" : `${s / DAY} days`;
  if (s >= HOUR) return s === HOUR ? "hour" : `${s / HOUR} h`;
  return `${s / MINUTE} min`;
}

/**
 * The rollup to rank all of a target's statements by over `range`: at most ~7 buckets of 5,000 statements each.
 * The range is widened to whole buckets, so this only picks candidates; their figures come from `coverRange`.
 */
export function rankingGrain(range: Range): "hour" | "day" | "week" {
  const span = range.to.getTime() - range.from.getTime();
  return span <= 6 * HOUR ? "hour" : span <= 6 * DAY ? "day" : "week";
}

export interface Cover {
  /** Half-open [from, to) intervals read from each table; together exactly the range. */
  day: Array<[Date, Date]>;
  hour: Array<[Date, Date]>;
  sample: Array<[Date, Date]>;
}

function floorTo(at: number, unit: number): number {
  return Math.floor(at / unit) * unit;
}

function ceilTo(at: number, unit: number): number {
  return Math.ceil(at / unit) * unit;
}

/**
 * [from, to) cut into the whole UTC days inside it, the whole hours around those, and the samples at the edges: the
 * exact sum over the range from at most ~30 days + 46 hours + 2 partial hours of rows.
 */
export function coverRange(range: Range): Cover {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const cover: Cover = { day: [], hour: [], sample: [] };
  const add = (list: Array<[Date, Date]>, a: number, b: number) => {
    if (a < b) list.push([new Date(a), new Date(b)]);
  };
  const hourFrom = ceilTo(from, HOUR);
  const hourTo = floorTo(to, HOUR);
  if (hourFrom >= hourTo) {
    add(cover.sample, from, to);
    return cover;
  }
  add(cover.sample, from, hourFrom);
  add(cover.sample, hourTo, to);
  const dayFrom = ceilTo(hourFrom, DAY);
  const dayTo = floorTo(hourTo, DAY);
  if (dayFrom >= dayTo) {
    add(cover.hour, hourFrom, hourTo);
    return cover;
  }
  add(cover.hour, hourFrom, dayFrom);
  add(cover.hour, dayTo, hourTo);
  add(cover.day, dayFrom, dayTo);
  return cover;
}
