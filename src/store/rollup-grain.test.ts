import { describe, expect, it } from "vitest";
import { binLabel, chartBins, coverRange, MAX_POINTS, rankingGrain } from "./rollup-grain.js";

const at = (text: string) => new Date(`${text}Z`);
const HOUR = 3_600_000;

describe("rollup grain", () => {
  it("draws each sample while they are few, then bins from the coarsest grain that divides the bin", () => {
    const day = { from: at("2026-12-01T00:00"), to: at("2026-12-02T00:00") };
    expect(chartBins(day, 288)).toEqual({ grain: "sample", stepMs: 0 });
    const threeDays = { from: at("2026-11-28T00:00"), to: at("2026-12-01T00:00") };
    expect(chartBins(threeDays, 864)).toEqual({ grain: "sample", stepMs: 10 * 60_000 });
    // A week: hourly points (168) rather than 2,016 samples in 20-minute bins.
    const week = { from: at("2026-11-24T00:00"), to: at("2026-12-01T00:00") };
    expect(chartBins(week, 2016)).toEqual({ grain: "hour", stepMs: HOUR });
    const month = { from: at("2026-11-01T00:00"), to: at("2026-12-01T00:00") };
    const bins = chartBins(month, 8640);
    expect(bins).toEqual({ grain: "hour", stepMs: 2 * HOUR });
    expect(binLabel(bins)).toBe("2 h");
    // 30 days in 2-hour points: 360, inside the ~300-600 a chart aims at.
    expect((30 * 24 * HOUR) / bins.stepMs).toBeLessThanOrEqual(MAX_POINTS);
    const year = { from: at("2026-01-01T00:00"), to: at("2027-01-01T00:00") };
    expect(chartBins(year, 105_120).grain).toBe("day");
  });

  it("ranks statements from at most ~7 buckets", () => {
    expect(rankingGrain({ from: at("2026-12-01T10:00"), to: at("2026-12-01T11:00") })).toBe("hour");
    expect(rankingGrain({ from: at("2026-12-01T00:00"), to: at("2026-12-02T00:00") })).toBe("day");
    expect(rankingGrain({ from: at("2026-11-01T00:00"), to: at("2026-12-01T00:00") })).toBe("week");
  });

  it("covers a range exactly: whole days inside, whole hours around them, samples at the edges", () => {
    const cover = coverRange({ from: at("2026-11-01T10:17"), to: at("2026-12-01T05:42") });
    const iso = (list: Array<[Date, Date]>) => list.map(([a, b]) => [a.toISOString(), b.toISOString()]);
    expect(iso(cover.day)).toEqual([["2026-11-02T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]]);
    expect(iso(cover.hour)).toEqual([
      ["2026-11-01T11:00:00.000Z", "2026-11-02T00:00:00.000Z"],
      ["2026-12-01T00:00:00.000Z", "2026-12-01T05:00:00.000Z"],
    ]);
    expect(iso(cover.sample)).toEqual([
      ["2026-11-01T10:17:00.000Z", "2026-11-01T11:00:00.000Z"],
      ["2026-12-01T05:00:00.000Z", "2026-12-01T05:42:00.000Z"],
    ]);
    // Within one hour: samples only; within one day: hours and samples.
    expect(coverRange({ from: at("2026-12-01T10:05"), to: at("2026-12-01T10:55") })).toEqual({
      day: [],
      hour: [],
      sample: [[at("2026-12-01T10:05"), at("2026-12-01T10:55")]],
    });
    const hours = coverRange({ from: at("2026-12-01T10:00"), to: at("2026-12-01T13:30") });
    expect(iso(hours.hour)).toEqual([["2026-12-01T10:00:00.000Z", "2026-12-01T13:00:00.000Z"]]);
    expect(iso(hours.sample)).toEqual([["2026-12-01T13:00:00.000Z", "2026-12-01T13:30:00.000Z"]]);
    expect(hours.day).toEqual([]);
  });
});
