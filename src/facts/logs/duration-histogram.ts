/**
 * Durations in logarithmic buckets 2% wide: percentiles within 2% of the exact value, in memory that does not
 * grow with the number of calls (a few hundred buckets cover microseconds to hours).
 */
const BASE = Math.log(1.02);
const FLOOR_MS = 0.001;
/** Calls after which a statement's buckets move from a Map to an array over the range seen: an increment in an
 * array costs a fraction of a Map's get and set, which ran for every logged statement. Statements called fewer
 * times (most of a log's distinct ones) keep the Map, a few entries instead of an array of hundreds. */
const DENSE_FROM = 64;

export class DurationHistogram {
  count = 0;
  private sparse: Map<number, number> | null = new Map();
  /** Counts of buckets lo, lo + 1, ... once dense. */
  private dense: Float64Array | null = null;
  private lo = 0;

  add(ms: number): void {
    const b = Math.floor(Math.log(Math.max(ms, FLOOR_MS) / FLOOR_MS) / BASE);
    this.count++;
    const d = this.dense;
    if (d !== null) {
      const i = b - this.lo;
      if (i >= 0 && i < d.length) d[i] = (d[i] as number) + 1;
      else this.addOutside(b, 1);
      return;
    }
    const m = this.sparse as Map<number, number>;
    m.set(b, (m.get(b) ?? 0) + 1);
    if (this.count >= DENSE_FROM) this.densify();
  }

  /** The buckets, to send to another thread and merge there. */
  state(): Map<number, number> {
    if (this.sparse) return this.sparse;
    const out = new Map<number, number>();
    const d = this.dense as Float64Array;
    for (let i = 0; i < d.length; i++) if (d[i]) out.set(this.lo + i, d[i] as number);
    return out;
  }

  merge(buckets: Map<number, number>): void {
    for (const [b, n] of buckets) {
      this.count += n;
      if (this.dense) this.addOutside(b, n);
      else {
        const m = this.sparse as Map<number, number>;
        m.set(b, (m.get(b) ?? 0) + n);
      }
    }
    if (this.sparse && this.count >= DENSE_FROM) this.densify();
  }

  /** The value at quantile q (0..1): the middle of the bucket that holds it. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    const d = this.dense;
    if (d !== null) {
      for (let i = 0; i < d.length; i++) {
        seen += d[i] as number;
        if (seen >= target) return FLOOR_MS * Math.exp((this.lo + i + 0.5) * BASE);
      }
      return 0;
    }
    const m = this.sparse as Map<number, number>;
    for (const b of [...m.keys()].sort((x, y) => x - y)) {
      seen += m.get(b) ?? 0;
      if (seen >= target) return FLOOR_MS * Math.exp((b + 0.5) * BASE);
    }
    return 0;
  }

  private densify(): void {
    const m = this.sparse as Map<number, number>;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const b of m.keys()) {
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    this.lo = lo;
    this.dense = new Float64Array(Math.max(16, hi - lo + 1));
    this.sparse = null;
    for (const [b, n] of m) this.addOutside(b, n);
  }

  /** Add n to bucket b, widening the array to reach it. */
  private addOutside(b: number, n: number): void {
    let d = this.dense as Float64Array;
    let i = b - this.lo;
    if (i < 0 || i >= d.length) {
      const lo = Math.min(this.lo, b);
      const hi = Math.max(this.lo + d.length - 1, b);
      // Twice the range needed, on the side that grew: a few widenings as a statement's times spread.
      const length = 2 * (hi - lo + 1);
      const start = b < this.lo ? hi + 1 - length : lo;
      const wider = new Float64Array(length);
      wider.set(d, this.lo - start);
      this.dense = d = wider;
      this.lo = start;
      i = b - start;
    }
    d[i] = (d[i] as number) + n;
  }
}
