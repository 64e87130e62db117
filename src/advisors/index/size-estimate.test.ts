import { describe, expect, it } from "vitest";
import { brinBytes } from "./size-estimate.js";

const timestamp = { width: 8, type: "timestamp with time zone" };

describe("brinBytes", () => {
  // Each figure is pg_relation_size of the index PostgreSQL 15 built (CREATE INDEX ... USING brin).
  it("is a metapage, a revmap page and a summary page for a million timestamps in 11,364 heap pages", () => {
    expect(brinBytes([11_364], [timestamp])).toBe(3 * 8192);
  });

  it("is three pages per partition: the BRIN of a partitioned table is one per leaf (six monthly payment partitions)", () => {
    expect(brinBytes([2480, 2240, 2480, 2400, 2480, 1254], [timestamp])).toBe(18 * 8192);
  });

  it("is three pages for an empty table", () => {
    expect(brinBytes([0], [timestamp])).toBe(3 * 8192);
  });

  it("grows with the ranges: 2,337 ranges of timestamps or of 33-byte text", () => {
    // 18,692 heap pages at 8 pages per range, written here as 128-page ranges of 16 times the pages.
    expect(brinBytes([18_692 * 16], [timestamp])).toBe(12 * 8192);
    expect(brinBytes([18_692 * 16], [{ width: 33, type: "text" }])).toBe(28 * 8192);
  });
});
