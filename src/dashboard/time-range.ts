/**
 * The time range a page shows, from its query string: `last=6h` (ending at the newest sample, so a store that
 * stopped collecting still shows its last hours) or `from=` / `to=` (ISO times, UTC unless they name a zone).
 */
import type { TimeRange } from "../store/read-dashboard.js";

const PRESETS = ["1h", "6h", "24h", "7d", "30d"] as const;
const DEFAULT_LAST = "24h";

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export class RangeError400 extends Error {}

function lastMs(text: string): number {
  const m = /^(\d{1,4})(m|h|d)$/.exec(text);
  if (!m) throw new RangeError400(`last must be like 6h, 30m or 7d, got ${JSON.stringify(text)}`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

function instant(name: string, text: string): Date {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime()))
    throw new RangeError400(`${name} must be a time like 2026-12-01T14:00, got ${JSON.stringify(text)}`);
  return at;
}

/** The range asked for; `newest` is the target's last sample (now when it has none). */
export function parseRange(query: URLSearchParams, newest: Date | null): TimeRange & { label: string } {
  const end = new Date((newest ?? new Date()).getTime() + 1000);
  const from = query.get("from");
  const to = query.get("to");
  if (from || to) {
    const range = {
      from: from ? instant("from", from) : new Date(0),
      to: to ? instant("to", to) : end,
    };
    if (range.from >= range.to) throw new RangeError400("from must be before to");
    return { ...range, label: "" };
  }
  const last = query.get("last") ?? DEFAULT_LAST;
  return { from: new Date(end.getTime() - lastMs(last)), to: end, label: last };
}

/** The form and preset links that change the range of `path`. */
export function rangeControls(path: string, range: TimeRange & { label: string }): string {
  const local = (d: Date) => d.toISOString().slice(0, 16);
  const presets = PRESETS.map((p) =>
    p === range.label ? `<strong>${p}</strong>` : `<a href="${path}?last=${p}">${p}</a>`,
  ).join(" ");
  return `<form class="range" method="get" action="${path}"><nav class="presets">last: ${presets}</nav>
from <input type="datetime-local" name="from" value="${local(range.from)}"> to
<input type="datetime-local" name="to" value="${local(range.to)}"> <span class="muted">UTC</span>
<button type="submit">show</button></form>`;
}
