/** What the caching rules read: statements with what decides whether their results can be cached, and tables. */
import type { StatementTraits } from "../../facts/scaling/statement-traits.js";

export interface CacheTable {
  schema: string;
  table: string;
  /** schema.table, as statements and findings name it. */
  name: string;
  rows: number;
  /** Rows inserted, updated and deleted per second over the statistics period; null when the period is unknown. */
  changesPerSecond: number | null;
  /** Rows updated and deleted per second: what makes a cached row stale. */
  rowChangesPerSecond: number | null;
  heapBlocksHit: number;
  heapBlocksRead: number;
  /** Table, indexes and TOAST. */
  totalBytes: number;
}

/** A replay of the statement through the cache-aside wrapper against Redis (--verify). */
export interface CacheVerification {
  calls: number;
  hits: number;
  /** Database time the calls took without the cache, and with it (the misses only), both measured. */
  withoutMs: number;
  withMs: number;
  ttlSeconds: number;
  /** Calls per second the replay's clock assumed (the statement's own rate). */
  callsPerSecond: number;
}

export interface CacheStatement {
  queryId: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rowsPerCall: number;
  traits: StatementTraits;
  /** A VOLATILE function it calls (random(), the user's), else null. */
  volatileFunction: string | null;
  /** The tables it reads, as CacheTable names. */
  tables: string[];
  /**
   * Distinct values its parameters take together (the product of their columns' n_distinct); 1 without
   * parameters; null when some parameter's column has no statistics.
   */
  keys: number | null;
  /**
   * When it looks rows up by a unique key given as $n: that table, the key's columns and the $n given for each
   * (invalidate those rows, not the table).
   */
  uniqueLookup: { table: string; columns: string[]; params: number[] } | null;
  /** Estimated bytes of one result (rows per call × the row width the statistics give). */
  resultBytes: number | null;
  verified?: CacheVerification;
}

export interface CachingFacts {
  statements: CacheStatement[];
  /** Seconds pg_stat_statements' counters cover; null when unknown (then no rates). */
  periodS: number | null;
  workloadTotalMs: number;
  tables: CacheTable[];
  sharedBuffersBytes: number | null;
  /** pg_prewarm: installable here, installed in this database, and its autoprewarm worker loaded. */
  prewarm: { available: boolean; installed: boolean; autoprewarm: boolean };
}

/**
 * The TTL that keeps the share of stale answers under `maxStale` when what the result reads changes `rate`
 * times a second (a Poisson process: an answer served t seconds after caching is stale with probability
 * 1 - e^(-rate·t); over a TTL the mean is about rate·TTL/2), between a second and an hour.
 */
export function ttlFor(rate: number, maxStale: number): number {
  if (rate <= 0) return 3600;
  return Math.max(1, Math.min(3600, Math.floor((2 * maxStale) / rate)));
}

/** Hit rate of a key requested `perKeyRate` times a second with entries kept `ttl` seconds: rT / (1 + rT). */
export function hitRate(perKeyRate: number, ttl: number): number {
  const n = perKeyRate * ttl;
  return n / (1 + n);
}
