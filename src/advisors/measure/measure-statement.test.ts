import { describe, expect, it } from "vitest";
import { fasterBeyondSpread, summarise } from "./measure-statement.js";

describe("summarise", () => {
  it("gives the median (middle of an odd count, mean of the middle two of an even one), min and max", () => {
    expect(summarise([5, 1, 3])).toEqual({ medianMs: 3, minMs: 1, maxMs: 5, runs: 3 });
    expect(summarise([4, 1, 3, 2])).toEqual({ medianMs: 2.5, minMs: 1, maxMs: 4, runs: 4 });
    expect(summarise([0.12345678])).toEqual({ medianMs: 0.123, minMs: 0.123, maxMs: 0.123, runs: 1 });
    expect(summarise([])).toEqual({ medianMs: 0, minMs: 0, maxMs: 0, runs: 0 });
  });
});

describe("fasterBeyondSpread", () => {
  const before = summarise([10, 11, 12, 13, 40]);
  it("says faster only when the slowest rewritten run beats the original's median", () => {
    expect(fasterBeyondSpread(before, summarise([1, 2, 3]))).toBe(true);
    // One stall in the rewritten runs (noise or real) is enough to say no.
    expect(fasterBeyondSpread(before, summarise([1, 2, 12.5]))).toBe(false);
    expect(fasterBeyondSpread(before, summarise([12, 12, 12]))).toBe(false);
    expect(fasterBeyondSpread(before, summarise([]))).toBe(false);
  });
});
