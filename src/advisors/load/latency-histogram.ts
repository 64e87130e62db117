/**
 * Latencies in log-linear buckets (HdrHistogram's layout): exact below 12.8 µs, then 64 buckets per power of two,
 * so a percentile is within 1.6% of the true value whatever the range, in a fixed 13 KB however many calls were
 * recorded. Sums (and sums of squares, for Welch's t) and min/max are exact. Histograms merge by adding, so
 * clients, worker threads and rounds each keep their own.
 */

/** Units of 0.1 µs: a primary-key lookup takes some hundreds of them. */
const UNITS_PER_MS = 10_000;
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Up to 2^31 units (214 s); longer calls count in the last bucket, their exact time still in sum and max. */
const BUCKETS = (31 - SUB_BITS + 1) * SUB + SUB;

export interface LatencySummary {
  calls: number;
  meanMs: number;
  stddevMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A histogram as plain data, to cross a worker thread or be stored. */
export interface HistogramState {
  /** [bucket, count] pairs of the buckets that are not empty. */
  buckets: Array<[number, number]>;
  count: number;
  sumMs: number;
  sumSqMs: number;
  minMs: number;
  maxMs: number;
}

function bucketOf(units: number): number {
  if (units < 2 * SUB) return units;
  const exponent = 31 - Math.clz32(units);
  const shift = exponent - SUB_BITS;
  return Math.min(BUCKETS - 1, (shift + 1) * SUB + ((units >>> shift) - SUB));
}

/** The highest value a bucket holds, in units. */
function bucketTop(bucket: number): number {
  if (bucket < 2 * SUB) return bucket;
  const shift = Math.floor(bucket / SUB) - 1;
  const sub = (bucket % SUB) + SUB;
  return (sub + 1) * 2 ** shift - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sumMs = 0;
  sumSqMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = 0;

  record(ms: number): void {
    const units = Math.min(2 ** 31 - 1, Math.max(0, Math.round(ms * UNITS_PER_MS)));
    const bucket = bucketOf(units);
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.count++;
    this.sumMs += ms;
    this.sumSqMs += ms * ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Empty again, the same object: the load driver records its warm-up into the histograms it then measures in. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.sumSqMs = 0;
    this.minMs = Number.POSITIVE_INFINITY;
    this.maxMs = 0;
  }

  merge(other: LatencyHistogram | HistogramState): void {
    if (other instanceof LatencyHistogram) {
      for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    } else for (const [b, c] of other.buckets) this.counts[b] = (this.counts[b] ?? 0) + c;
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.sumSqMs += other.sumSqMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /** The latency at or under which a share q of the calls fall (q in [0, 1]), within the bucket precision. */
  percentileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, bucketTop(i) / UNITS_PER_MS));
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    const n = this.count;
    const mean = n ? this.sumMs / n : 0;
    const variance = n > 1 ? Math.max(0, (this.sumSqMs - n * mean * mean) / (n - 1)) : 0;
    return {
      calls: n,
      meanMs: mean,
      stddevMs: Math.sqrt(variance),
      minMs: n ? this.minMs : 0,
      p50Ms: this.percentileMs(0.5),
      p95Ms: this.percentileMs(0.95),
      p99Ms: this.percentileMs(0.99),
      maxMs: this.maxMs,
    };
  }

  state(): HistogramState {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) buckets.push([i, this.counts[i] as number]);
    return {
      buckets,
      count: this.count,
      sumMs: this.sumMs,
      sumSqMs: this.sumSqMs,
      minMs: this.minMs,
      maxMs: this.maxMs,
    };
  }

  static from(state: HistogramState): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(state);
    return h;
  }
}
