import { describe, expect, it } from "vitest";
import { halves, MEASURED_MIN_SAVING_MS } from "./measured-choice.js";

describe("halves", () => {
  it("takes a variant that at least halves a measured run time by more than the noise", () => {
    expect(halves(30, 0.4)).toBe(true);
    expect(halves(0.2, 0.1)).toBe(true);
  });

  it("refuses one that saves less than half", () => {
    expect(halves(30, 16)).toBe(false);
  });

  it("refuses a halving smaller than run-to-run noise (0.07 ms to 0.03 ms)", () => {
    expect(halves(0.07, 0.03)).toBe(false);
    expect(halves(MEASURED_MIN_SAVING_MS * 2, 0)).toBe(true);
  });
});
