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
    expect(h.state().size).toBeLessThan(700);
  });

  it("gives the same percentiles and buckets in a Map or an array, merged or not", () => {
    // Times spread both ways from the first, so that the array widens below and above it.
    const values = Array.from({ length: 3000 }, (_, i) => 5 * 1.01 ** (((i * 7919) % 601) - 300));
    const whole = new DurationHistogram();
    for (const v of values) whole.add(v);
    const parts = [new DurationHistogram(), new DurationHistogram(), new DurationHistogram()];
    // A part of 10 calls stays a Map; merged into one that is an array, and the other way round.
    values.forEach((v, i) => {
      (parts[i < 10 ? 0 : i < 2000 ? 1 : 2] as DurationHistogram).add(v);
    });
    const small = parts[0] as DurationHistogram;
    const merged = new DurationHistogram();
    merged.merge(small.state());
    for (const p of parts.slice(1)) merged.merge(p.state());
    const sparseFirst = new DurationHistogram();
    sparseFirst.merge(small.state());
    expect(merged.count).toBe(values.length);
    const exact = new Map<number, number>();
    for (const v of values) {
      const b = Math.floor(Math.log(Math.max(v, 0.001) / 0.001) / Math.log(1.02));
      exact.set(b, (exact.get(b) ?? 0) + 1);
    }
    const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
    expect(sorted(whole.state())).toEqual(sorted(exact));
    expect(sorted(merged.state())).toEqual(sorted(exact));
    for (const q of [0.01, 0.5, 0.95, 0.99, 1]) expect(merged.quantile(q)).toBe(whole.quantile(q));
    expect(sorted(sparseFirst.state())).toEqual(sorted(small.state()));
  });

  it("is 0 when empty", () => {
    expect(new DurationHistogram().quantile(0.95)).toBe(0);
  });
});
