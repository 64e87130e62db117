import { describe, expect, it, vi } from "vitest";
import { formatCount } from "./format.js";

describe("formatCount", () => {
  it("writes what toLocaleString('en-US') writes", () => {
    const values = [
      0, -0, 0.4, -0.4, 1, 12, 999, 1000, -1000, 1234.5, -1234.5, 999_999, 1_000_000, 12_345_678,
    ];
    for (let p = 0; p < 22; p++)
      values.push(10 ** p, 10 ** p - 1, -(10 ** p) + 1, 2 ** 53 - p, -(2 ** 53) + p);
    values.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e25, -1e25);
    for (const v of values) expect(formatCount(v), String(v)).toBe(Math.round(v).toLocaleString("en-US"));
    expect(formatCount(null)).toBe("-");
  });

  it("leaves ICU's number formatting unloaded for ordinary counts (its first use costs ~40 ms of start-up)", () => {
    const spy = vi.spyOn(Number.prototype, "toLocaleString");
    try {
      expect(formatCount(1234567)).toBe("1,234,567");
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
