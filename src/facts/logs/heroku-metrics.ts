/**
 * Heroku Postgres metrics samples (`app[heroku-postgres]: source=DATABASE addon=... sample#db_size=26311800bytes
 * sample#active-connections=3 sample#waiting-connections=0 sample#index-cache-hit-rate=0.99965 ...`, every few
 * minutes in the app's log): not server messages, but what they say about the database is summed up — its size,
 * the most connections active and waiting on locks, the lowest cache hit rates, the highest load.
 */

export interface HerokuMetricsSummary {
  samples: number;
  /** The last sample's database size. */
  dbSizeBytes: number | null;
  maxActiveConnections: number | null;
  maxWaitingConnections: number | null;
  minIndexCacheHitRate: number | null;
  minTableCacheHitRate: number | null;
  maxLoadAvg1m: number | null;
}

const SAMPLE = /sample#([\w-]+)=([\d.]+)/g;

export class HerokuMetrics {
  private s: HerokuMetricsSummary = {
    samples: 0,
    dbSizeBytes: null,
    maxActiveConnections: null,
    maxWaitingConnections: null,
    minIndexCacheHitRate: null,
    minTableCacheHitRate: null,
    maxLoadAvg1m: null,
  };

  /** One metrics line. */
  line(text: string): void {
    const s = this.s;
    s.samples++;
    for (const [, name, value] of text.matchAll(SAMPLE)) {
      const v = Number(value);
      if (Number.isNaN(v)) continue;
      if (name === "db_size") s.dbSizeBytes = v;
      else if (name === "active-connections") s.maxActiveConnections = max(s.maxActiveConnections, v);
      else if (name === "waiting-connections") s.maxWaitingConnections = max(s.maxWaitingConnections, v);
      else if (name === "index-cache-hit-rate") s.minIndexCacheHitRate = min(s.minIndexCacheHitRate, v);
      else if (name === "table-cache-hit-rate") s.minTableCacheHitRate = min(s.minTableCacheHitRate, v);
      else if (name === "load-avg-1m") s.maxLoadAvg1m = max(s.maxLoadAvg1m, v);
    }
  }

  summary(): HerokuMetricsSummary | null {
    return this.s.samples ? { ...this.s } : null;
  }
}

/** Two summaries, the second read after the first (its last database size wins). */
export function mergeHerokuMetrics(
  a: HerokuMetricsSummary | null,
  b: HerokuMetricsSummary | null,
): HerokuMetricsSummary | null {
  if (!a || !b) return a ?? b;
  return {
    samples: a.samples + b.samples,
    dbSizeBytes: b.dbSizeBytes ?? a.dbSizeBytes,
    maxActiveConnections: max(a.maxActiveConnections, b.maxActiveConnections),
    maxWaitingConnections: max(a.maxWaitingConnections, b.maxWaitingConnections),
    minIndexCacheHitRate: min(a.minIndexCacheHitRate, b.minIndexCacheHitRate),
    minTableCacheHitRate: min(a.minTableCacheHitRate, b.minTableCacheHitRate),
    maxLoadAvg1m: max(a.maxLoadAvg1m, b.maxLoadAvg1m),
  };
}

function max(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function min(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
