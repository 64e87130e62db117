import { describe, expect, it } from "vitest";
import { logTime } from "./log-time.js";

describe("logTime", () => {
  it.each([
    ["2026-11-26 19:50:05 UTC", Date.UTC(2026, 10, 26, 19, 50, 5)],
    ["2026-11-26 19:50:05.264 UTC", Date.UTC(2026, 10, 26, 19, 50, 5, 264)],
    ["2026-11-26 19:50:05.264416+00:00", Date.UTC(2026, 10, 26, 19, 50, 5, 264) + 0.416],
    ["2026-11-26 21:50:05.5+02", Date.UTC(2026, 10, 26, 19, 50, 5, 500)],
    // log_timezone = 'Europe/Berlin' writes abbreviations Date.parse does not know.
    ["2026-11-26 20:50:05.250 CET", Date.UTC(2026, 10, 26, 19, 50, 5, 250)],
    ["2026-07-26 21:50:05 CEST", Date.UTC(2026, 6, 26, 19, 50, 5)],
    ["2026-11-26 14:50:05 EST", Date.UTC(2026, 10, 26, 19, 50, 5)],
  ])("%s", (text, expected) => {
    expect(logTime(text)).toBeCloseTo(expected, 3);
  });
});
