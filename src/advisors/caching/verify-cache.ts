/**
 * `advise caching --verify`: one statement's calls replayed through the cache-aside steps of the printed wrapper
 * (GET, else run the statement and SET with its tags) against a real Redis, with parameter values drawn from
 * pg_stats in their real proportions. The replay is faster than the real traffic, so time is the statement's own:
 * call i happens at i / (calls per second), and an entry counts as live for the TTL of that clock. Every call is
 * also run without the cache, so both database times are measured, not estimated. Keys carry a random prefix and
 * are deleted at the end.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { CachePlan } from "../../rules/architecture/cache-result.js";
import type { CacheStatement, CacheVerification } from "../../rules/architecture/caching-facts.js";
import { InputError } from "../../util/input-error.js";
import { drawParameters } from "../parameters/parameter-draws.js";

export async function verifyCache(
  db: PostgresConnector,
  redisUrl: string,
  statement: CacheStatement,
  plan: CachePlan,
  options: { calls: number; seed?: number },
): Promise<CacheVerification | undefined> {
  const draws = await drawParameters(db, statement.query, { sets: options.calls, seed: options.seed ?? 7 });
  if (draws.parameters > 0 && draws.sets.length === 0) return undefined;
  const params = (i: number) => (draws.parameters > 0 ? (draws.sets[i]?.values ?? []) : []);
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new InputError(
      `cannot reach Redis at ${redactUrl(redisUrl)}: ${error instanceof Error ? error.message : String(error)}`,
      "start Redis, or give --verify redis://host:port",
    );
  }
  const prefix = `dbopt-verify:${randomBytes(6).toString("hex")}:`;
  // The keys written, deleted at the end by name: KEYS would scan (and block) the whole Redis.
  const written = new Set<string>();
  try {
    let withoutMs = 0;
    for (let i = 0; i < options.calls; i++) withoutMs += await timed(db, statement.query, params(i));
    let withMs = 0;
    let hits = 0;
    for (let i = 0; i < options.calls; i++) {
      const now = i / plan.callsPerSecond;
      const key = `${prefix}${statement.queryId}:${JSON.stringify(params(i))}`;
      const cached = await redis.get(key);
      if (cached !== null && (JSON.parse(cached) as { until: number }).until > now) {
        hits++;
        continue;
      }
      const started = performance.now();
      const rows = await db.query(statement.query, params(i));
      withMs += performance.now() - started;
      await redis.set(key, JSON.stringify({ until: now + plan.ttlSeconds, rows }), "EX", 600);
      written.add(key);
    }
    return {
      calls: options.calls,
      hits,
      withoutMs,
      withMs,
      ttlSeconds: plan.ttlSeconds,
      callsPerSecond: plan.callsPerSecond,
    };
  } finally {
    // Keys left by a lost connection expire on their own (EX 600); a failed cleanup must not hide the real error.
    if (written.size > 0) await redis.del(...written).catch(() => {});
    redis.disconnect();
  }
}

async function timed(db: PostgresConnector, sql: string, params: unknown[]): Promise<number> {
  const started = performance.now();
  await db.query(sql, params);
  return performance.now() - started;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
