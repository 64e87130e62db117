import { describe, expect, it } from "vitest";
import type { ColumnStats } from "../../facts/snapshot.js";
import { seededRandom } from "../../util/seeded-random.js";
import { drawRange } from "./range-draw.js";

const stats = (histogramBounds: string[]): ColumnStats =>
  ({ histogramBounds, mostCommonValues: null, mostCommonFreqs: null, nullFrac: 0 }) as unknown as ColumnStats;

describe("drawRange", () => {
  it("puts the bounds `share` of the histogram apart, interpolating timestamps with their offset", () => {
    const hist = stats(["2026-01-01 00:00:00+00", "2026-01-11 00:00:00+00", "2026-01-21 00:00:00+01"]);
    const random = seededRandom(5);
    for (let i = 0; i < 20; i++) {
      const [low, high] = drawRange(hist, "timestamp with time zone", 0.05, random) ?? ["", ""];
      const days = (Date.parse(high) - Date.parse(low)) / 86_400_000;
      // 5% of a 20-day histogram (less the hour the offset takes off the last bound): a day.
      expect(days).toBeGreaterThan(0.95);
      expect(days).toBeLessThan(1.01);
    }
  });

  it("keeps integers whole and takes a bucket's bound for a type it cannot interpolate", () => {
    expect(drawRange(stats(["0", "100", "200"]), "integer", 0.5, () => 0)).toEqual(["0", "100"]);
    expect(drawRange(stats(["a", "m", "z"]), "text", 0.25, () => 0)).toEqual(["a", "m"]);
    expect(drawRange(stats(["2026-01-01", "2026-01-03"]), "date", 0.5, () => 0)).toEqual([
      "2026-01-01",
      "2026-01-02",
    ]);
    expect(drawRange(stats([]), "integer", 0.1, () => 0)).toBeNull();
  });
});
