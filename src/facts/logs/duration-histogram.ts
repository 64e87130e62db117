/**
 * Durations in logarithmic buckets 2% wide: percentiles within 2% of the exact value, in memory that does not
 * grow with the number of calls (a few hundred buckets cover microseconds to hours).
 */
const BASE = Math.log(1.02);
const FLOOR_MS = 0.001;

export class DurationHistogram {
  count = 0;
  private readonly buckets = new Map<number, number>();

  add(ms: number): void {
    const b = Math.floor(Math.log(Math.max(ms, FLOOR_MS) / FLOOR_MS) / BASE);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.count++;
  }

  /** The buckets, to send to another thread and merge there. */
  state(): Map<number, number> {
    return this.buckets;
  }

  merge(buckets: Map<number, number>): void {
    for (const [b, n] of buckets) {
      this.buckets.set(b, (this.buckets.get(b) ?? 0) + n);
      this.count += n;
    }
  }

  /** The value at quantile q (0..1): the middle of the bucket that holds it. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b) ?? 0;
      if (seen >= target) return FLOOR_MS * Math.exp((b + 0.5) * BASE);
    }
    return 0;
  }
}
