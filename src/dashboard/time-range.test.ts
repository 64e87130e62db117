import { describe, expect, it } from "vitest";
import { parseRange, RangeError400 } from "./time-range.js";

const newest = new Date("2026-12-02T05:00:00Z");
const q = (text: string) => new URLSearchParams(text);

describe("parseRange", () => {
  it("ends a preset at the newest sample (a second after it, so the sample is in), 24h by default", () => {
    const r = parseRange(q(""), newest);
    expect(r.to.toISOString()).toBe("2026-12-02T05:00:01.000Z");
    expect(r.from.toISOString()).toBe("2026-12-01T05:00:01.000Z");
    expect(r.label).toBe("24h");
    expect(parseRange(q("last=30m"), newest).from.toISOString()).toBe("2026-12-02T04:30:01.000Z");
  });

  it("reads from and to as UTC unless they name a zone", () => {
    const r = parseRange(q("from=2026-12-01T10:00&to=2026-12-01T14:00%2B02:00"), newest);
    expect(r.from.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(r.label).toBe("");
  });

  it("refuses a range that is not one, with what it wants", () => {
    expect(() => parseRange(q("last=zz"), newest)).toThrow(RangeError400);
    expect(() => parseRange(q("from=yesterday"), newest)).toThrow(/from must be a time/);
    expect(() => parseRange(q("from=2026-12-02T00:00&to=2026-12-01T00:00"), newest)).toThrow(/before/);
  });
});
