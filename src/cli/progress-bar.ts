/** A one-line progress bar on standard error, drawn only on a terminal and at most every 100 ms. */
import { formatBytes } from "../util/format.js";

export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(done: number, total: number): void;
  clear(): void;
} {
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  const started = Date.now();
  let drawn = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - drawn < 100) return;
      drawn = now;
      shown = true;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      const width = 30;
      const share = total > 0 ? Math.min(done / total, 1) : 0;
      const bar =
        total > 0
          ? `[${"=".repeat(Math.round(share * width)).padEnd(width)}] ${(share * 100).toFixed(0).padStart(3)}% `
          : "";
      stream.write(
        `\r${bar}${formatBytes(done)}${total > 0 ? ` of ${formatBytes(total)}` : ""}, ${formatBytes(rate)}/s\x1b[K`,
      );
    },
    clear() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
