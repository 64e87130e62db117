import { describe, expect, it } from "vitest";
import { progressBar } from "./progress-bar.js";

function stream(isTTY: boolean) {
  const written: string[] = [];
  return {
    written,
    s: { isTTY, write: (t: string) => written.push(t) > 0 } as unknown as NodeJS.WriteStream,
  };
}

describe("progressBar", () => {
  it("draws on a terminal, at most every 100 ms, and clears itself", async () => {
    const { s, written } = stream(true);
    const bar = progressBar(s);
    bar.update(0, 1000);
    bar.update(250, 1000);
    expect(written).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 110));
    bar.update(500, 1000);
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(/^\r\[=+ +\] +50% 500 B of 1000 B, .*\/s/);
    expect(written[1]?.endsWith("\x1b[K")).toBe(true);
    bar.clear();
    expect(written.at(-1)).toBe("\r\x1b[K");
  });

  it("writes nothing when standard error is not a terminal", async () => {
    const { s, written } = stream(false);
    const bar = progressBar(s);
    await new Promise((r) => setTimeout(r, 110));
    bar.update(1, 2);
    bar.clear();
    expect(written).toEqual([]);
  });
});
