/** The local Redis (127.0.0.1:6379). In CI a missing server fails the run; elsewhere its tests are skipped. */
import { Redis } from "ioredis";

export const REDIS_URL = process.env.DBOPT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export async function redisAvailable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  r.on("error", () => {});
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.CI === "true") throw new Error(`Redis at ${REDIS_URL} is required in CI: ${why}`);
    console.warn(`skipping tests that need Redis at ${REDIS_URL}: ${why}`);
    return false;
  } finally {
    r.disconnect();
  }
}
