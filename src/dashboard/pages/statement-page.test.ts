import { describe, expect, it } from "vitest";
import { planChanges } from "./statement-page.js";

const point = (minute: number, planId: number | null) => ({
  at: new Date(Date.UTC(2026, 11, 2, 5, minute)),
  calls: 1,
  totalMs: 1,
  rows: 1,
  planId,
});

describe("planChanges", () => {
  it("marks a sample whose plan differs from the last plan seen, across samples without a plan", () => {
    const changes = planChanges([
      point(0, null),
      point(5, 1),
      point(10, null),
      point(15, 1),
      point(20, 2),
      point(25, 2),
    ]);
    expect(changes.map((c) => c.at.getUTCMinutes())).toEqual([20]);
  });

  it("does not count the first plan seen as a change", () => {
    expect(planChanges([point(0, 3)])).toEqual([]);
  });
});
