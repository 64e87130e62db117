import { describe, expect, it } from "vitest";
import { MinuteCounts } from "./minute-counts.js";

const at = (text: string) => Date.parse(text);

describe("statements per minute", () => {
  it("counts statements and their time in the minute they were logged; lines without a time are left out", () => {
    const counts = new MinuteCounts();
    counts.add(at("2026-11-26T14:00:05Z"), 1.5);
    counts.add(at("2026-11-26T14:00:59.999Z"), 0.25);
    counts.add(at("2026-11-26T14:02:00Z"), null);
    counts.add(null, 100);
    // Out of order (a log merged from two files): back to the first minute.
    counts.add(at("2026-11-26T14:00:30Z"), 2);
    expect(counts.result()).toEqual([
      { minute: at("2026-11-26T14:00:00Z"), statements: 3, totalMs: 3.75 },
      { minute: at("2026-11-26T14:02:00Z"), statements: 1, totalMs: 0 },
    ]);
  });

  it("parts read apart and merged give what one reader gives", () => {
    const times = Array.from({ length: 500 }, (_, i) => at("2026-11-26T14:00:00Z") + i * 1_337);
    const whole = new MinuteCounts();
    for (const t of times) whole.add(t, 0.001 * (t % 7));
    const first = new MinuteCounts();
    const second = new MinuteCounts();
    for (const [i, t] of times.entries()) (i < 230 ? first : second).add(t, 0.001 * (t % 7));
    first.merge(structuredClone(second.state()));
    expect(first.result()).toEqual(whole.result());
    expect(whole.result().reduce((s, m) => s + m.statements, 0)).toBe(500);
  });
});
