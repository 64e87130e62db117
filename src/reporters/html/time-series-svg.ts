/**
 * A count over time as an inline SVG column chart (no library, nothing to load): one column per period, the
 * periods widened (1, 5, 15, 60 minutes, then days) so a long log still fits in at most MAX_COLUMNS columns.
 */
import { type Html, html } from "./html-text.js";

export interface TimePoint {
  /** Start of the period, epoch milliseconds. */
  at: number;
  value: number;
}

const MAX_COLUMNS = 240;
const MINUTE = 60_000;
const PERIODS = [1, 5, 15, 60, 360, 1440, 10_080].map((m) => m * MINUTE);
const WIDTH = 860;
const HEIGHT = 180;
const LEFT = 64;
const BOTTOM = 22;
const TOP = 10;

/** The points summed into periods, so the chart has at most MAX_COLUMNS columns; the period used. */
function bucketed(points: TimePoint[]): { points: TimePoint[]; periodMs: number } {
  if (!points.length) return { points: [], periodMs: MINUTE };
  const first = Math.min(...points.map((p) => p.at));
  const last = Math.max(...points.map((p) => p.at));
  const periodMs = PERIODS.find((p) => (last - first) / p < MAX_COLUMNS) ?? (PERIODS.at(-1) as number);
  const sums = new Map<number, number>();
  for (const p of points) {
    const at = Math.floor(p.at / periodMs) * periodMs;
    sums.set(at, (sums.get(at) ?? 0) + p.value);
  }
  return { points: [...sums].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value })), periodMs };
}

const when = (t: number) => new Date(t).toISOString().replace("T", " ").slice(0, 16);

function periodName(ms: number): string {
  return ms >= 1440 * MINUTE
    ? `${ms / (1440 * MINUTE)} day`
    : ms >= 60 * MINUTE
      ? `${ms / (60 * MINUTE)} h`
      : `${ms / MINUTE} min`;
}

/** Columns over time; periods with nothing drawn as gaps. `show` writes a value ("12 ms", "1,204"). */
export function timeSeriesSvg(
  given: TimePoint[],
  options: { id: string; caption: string; unit: string; show: (v: number) => string; colour?: string },
): Html {
  const { points, periodMs } = bucketed(given);
  if (!points.length) return html``;
  const first = (points[0] as TimePoint).at;
  const last = (points.at(-1) as TimePoint).at + periodMs;
  const max = Math.max(...points.map((p) => p.value), Number.MIN_VALUE);
  const plotW = WIDTH - LEFT - 10;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (t: number) => LEFT + ((t - first) / (last - first)) * plotW;
  const columnW = Math.max(1, (periodMs / (last - first)) * plotW - 1);
  const colour = options.colour ?? "#2f6fc0";
  return html`<figure class="picture" id="${options.id}"><svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui,sans-serif" font-size="11">
<title>${options.caption}</title>
<line x1="${LEFT}" y1="${TOP + plotH}" x2="${WIDTH - 10}" y2="${TOP + plotH}" stroke="#8a93a3"></line>
<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="#8a93a3"></line>
<text x="${LEFT - 6}" y="${TOP + 8}" text-anchor="end" fill="#687080">${options.show(max)}</text>
<text x="${LEFT - 6}" y="${TOP + plotH}" text-anchor="end" fill="#687080">0</text>
<text x="${LEFT}" y="${HEIGHT - 6}" fill="#687080">${when(first)}</text>
<text x="${WIDTH - 10}" y="${HEIGHT - 6}" text-anchor="end" fill="#687080">${when(last)} UTC</text>
${points.map((p) => {
  const h = Math.max(1, (p.value / max) * plotH);
  return html`<rect class="column" x="${x(p.at).toFixed(1)}" y="${(TOP + plotH - h).toFixed(1)}" width="${columnW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${when(p.at)}: ${options.show(p.value)}</title></rect>`;
})}</svg><figcaption class="muted">${options.caption} (${options.unit} per ${periodName(periodMs)})</figcaption></figure>`;
}
