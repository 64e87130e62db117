import { describe, expect, it } from "vitest";
import { DurationHistogram } from "./duration-histogram.js";

describe("DurationHistogram", () => {
  it("gives percentiles within 2% of the exact values", () => {
    const h = new DurationHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.01 * 1.0007 ** i);
    for (const v of values) h.add(v);
    const exact = (q: number) => values[Math.ceil(q * values.length) - 1] as number;
    for (const q of [0.5, 0.95, 0.99, 1]) {
      expect(Math.abs(h.quantile(q) / exact(q) - 1)).toBeLessThan(0.02);
    }
  });

  it("stays small however many calls it counts", () => {
    const h = new DurationHistogram();
    for (let i = 0; i < 1_000_000; i++) h.add((i % 5000) * 0.37);
    expect(h.count).toBe(1_000_000);
    expect((h as unknown as { buckets: Map<number, number> }).buckets.size).toBeLessThan(700);
  });

  it("is 0 when empty", () => {
    expect(new DurationHistogram().quantile(0.95)).toBe(0);
  });
});
