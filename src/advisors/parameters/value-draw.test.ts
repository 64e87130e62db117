import { describe, expect, it } from "vitest";
import type { ColumnStats } from "../../facts/snapshot.js";
import { seededRandom } from "../../util/seeded-random.js";
import { drawFromSample, drawFromStatistics, likePattern } from "./value-draw.js";

const stats = (parts: Partial<ColumnStats>): ColumnStats => ({
  schema: "public",
  table: "t",
  column: "c",
  nullFrac: 0,
  avgWidth: 4,
  nDistinct: -1,
  correlation: null,
  mostCommonValues: null,
  mostCommonFreqs: null,
  histogramBounds: null,
  ...parts,
});

function tally(draw: () => string | null | undefined, n: number): Map<string | null | undefined, number> {
  const out = new Map<string | null | undefined, number>();
  for (let i = 0; i < n; i++) {
    const v = draw();
    out.set(v, (out.get(v) ?? 0) + 1);
  }
  return out;
}

describe("drawFromStatistics", () => {
  it("draws common values by their frequencies and the rest over the histogram's buckets", () => {
    const s = stats({
      mostCommonValues: ["a", "b"],
      mostCommonFreqs: [0.5, 0.2],
      histogramBounds: ["c", "m", "z"],
    });
    const random = seededRandom(7);
    const counts = tally(() => drawFromStatistics(s, "text", random, false), 20_000);
    expect((counts.get("a") ?? 0) / 20_000).toBeCloseTo(0.5, 1);
    expect((counts.get("b") ?? 0) / 20_000).toBeCloseTo(0.2, 1);
    const fromHistogram = (counts.get("c") ?? 0) + (counts.get("m") ?? 0) + (counts.get("z") ?? 0);
    expect(fromHistogram / 20_000).toBeCloseTo(0.3, 1);
    expect(counts.has(null)).toBe(false);
  });

  it("spreads integers uniformly inside a bucket, and draws NULL by null_frac only when asked", () => {
    const s = stats({ nullFrac: 0.25, histogramBounds: ["0", "100", "1000"] });
    const random = seededRandom(3);
    const values = Array.from({ length: 10_000 }, () => drawFromStatistics(s, "integer", random, true));
    const nulls = values.filter((v) => v === null).length / values.length;
    expect(nulls).toBeCloseTo(0.25, 1);
    const numbers = values.filter((v): v is string => typeof v === "string").map(Number);
    expect(numbers.every((v) => Number.isInteger(v) && v >= 0 && v <= 1000)).toBe(true);
    // Each bucket holds the same share of rows: half the draws fall under 100.
    expect(numbers.filter((v) => v < 100).length / numbers.length).toBeCloseTo(0.5, 1);
    expect(new Set(numbers).size).toBeGreaterThan(500);
    const noNulls = Array.from({ length: 1000 }, () => drawFromStatistics(s, "integer", random, false));
    expect(noNulls.includes(null)).toBe(false);
  });

  it("has nothing to draw from statistics without common values or a histogram", () => {
    expect(drawFromStatistics(stats({}), "integer", seededRandom(1), false)).toBeUndefined();
  });

  it("repeats its draws for the same seed", () => {
    const s = stats({ histogramBounds: ["1", "50", "90", "400"] });
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => drawFromStatistics(s, "bigint", random, false));
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });
});

describe("drawFromSample and likePattern", () => {
  it("draws every sampled value, and nothing from an empty sample", () => {
    const random = seededRandom(5);
    expect(new Set(Array.from({ length: 200 }, () => drawFromSample(["x", "y", "z"], random)))).toEqual(
      new Set(["x", "y", "z"]),
    );
    expect(drawFromSample([], random)).toBeUndefined();
  });

  it("makes a prefix pattern, escaping LIKE's own characters", () => {
    expect(likePattern("Smithers")).toBe("Smi%");
    expect(likePattern("a%b_c")).toBe("a\\%b%");
  });
});
