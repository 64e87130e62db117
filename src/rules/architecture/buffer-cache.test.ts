import { describe, expect, it } from "vitest";
import { cacheTableOf, cachingFactsOf } from "../../../test/support/scaling-harness.js";
import { defaultOptions } from "../rule.js";
import { bufferCache } from "./buffer-cache.js";

const run = (facts: Parameters<typeof bufferCache.check>[0]) =>
  bufferCache.check(facts, defaultOptions(bufferCache));
const MB = 1024 ** 2;

describe("architecture/buffer-cache", () => {
  it("lists the tables read from disk, and says when they do not fit in shared_buffers", () => {
    const [f] = run(
      cachingFactsOf({
        tables: [
          cacheTableOf("events", { heapBlocksHit: 900_000, heapBlocksRead: 100_000, totalBytes: 400 * MB }),
          cacheTableOf("users", { heapBlocksHit: 999_990, heapBlocksRead: 10, totalBytes: 10 * MB }),
        ],
      }),
    );
    expect(f?.severity).toBe("warning");
    expect(f?.evidence).toMatchObject({ tables: 1, worstTable: "public.events", worstHitRatio: 0.9 });
    expect(f?.detail).toMatch(/exceed shared_buffers/);
    expect(f?.fix?.sql).toBe(
      "CREATE EXTENSION IF NOT EXISTS pg_prewarm;\nSELECT pg_prewarm('events'::regclass);",
    );
  });

  it("is quiet when tables are served from memory", () => {
    expect(run(cachingFactsOf({ tables: [cacheTableOf("users")] }))).toEqual([]);
  });
});
