/**
 * Inline SVG charts for the HTML reports, drawn here with no library (nothing to load when the file opens):
 * horizontal bars for "what takes the time", and paired bars for before/after figures.
 */
import { type Html, html } from "./html-text.js";

export interface Bar {
  label: string;
  value: number;
  /** The value as the report writes it: "2.31 s". */
  shown: string;
}

const WIDTH = 860;
const LABEL = 360;
const ROW = 22;

function cut(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One bar a row, longest first as given; each label holds its full text in a <title>. */
export function barChartSvg(bars: Bar[], options: { id: string; caption: string; colour?: string }): Html {
  if (!bars.length) return html``;
  const max = Math.max(...bars.map((b) => b.value), Number.MIN_VALUE);
  const room = WIDTH - LABEL - 140;
  const height = bars.length * ROW + 8;
  const colour = options.colour ?? "#d92d20";
  return html`<figure class="picture" id="${options.id}"><svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="system-ui,sans-serif" font-size="12">
<title>${options.caption}</title>${bars.map((b, i) => {
    const y = 4 + i * ROW;
    const w = Math.max(1, Math.round((b.value / max) * room));
    return html`<g class="bar"><title>${b.label}: ${b.shown}</title><text x="${LABEL - 6}" y="${y + 15}" text-anchor="end" fill="#1d2430">${cut(b.label, 56)}</text><rect x="${LABEL}" y="${y + 3}" width="${w}" height="${ROW - 8}" fill="${colour}"></rect><text x="${LABEL + w + 6}" y="${y + 15}" fill="#687080">${b.shown}</text></g>`;
  })}</svg><figcaption class="muted">${options.caption}</figcaption></figure>`;
}

export interface PairedBar {
  label: string;
  before: number;
  after: number;
  beforeShown: string;
  afterShown: string;
}

/** Two bars a row (before grey, after red when larger), on one scale. */
export function pairedBarChartSvg(
  rows: PairedBar[],
  options: { id: string; caption: string; beforeName: string; afterName: string },
): Html {
  if (!rows.length) return html``;
  const max = Math.max(...rows.flatMap((r) => [r.before, r.after]), Number.MIN_VALUE);
  const room = WIDTH - LABEL - 160;
  const row = ROW * 2;
  const height = rows.length * row + 28;
  // The second legend entry after the first one's text (about 7 px a character at 12 px).
  const after = 14 + options.beforeName.length * 7 + 24;
  return html`<figure class="picture" id="${options.id}"><svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="system-ui,sans-serif" font-size="12">
<title>${options.caption}</title>
<rect x="${LABEL}" y="4" width="10" height="10" fill="#98a2b3"></rect><text x="${LABEL + 14}" y="13">${options.beforeName}</text>
<rect x="${LABEL + after}" y="4" width="10" height="10" fill="#d92d20"></rect><text x="${LABEL + after + 14}" y="13">${options.afterName}</text>
${rows.map((r, i) => {
  const y = 24 + i * row;
  const wb = Math.max(1, Math.round((r.before / max) * room));
  const wa = Math.max(1, Math.round((r.after / max) * room));
  return html`<g class="pair"><title>${r.label}: ${r.beforeShown} → ${r.afterShown}</title><text x="${LABEL - 6}" y="${y + 20}" text-anchor="end">${cut(r.label, 56)}</text>
<rect x="${LABEL}" y="${y + 2}" width="${wb}" height="${ROW - 6}" fill="#98a2b3"></rect><text x="${LABEL + wb + 6}" y="${y + 14}" fill="#687080">${r.beforeShown}</text>
<rect x="${LABEL}" y="${y + ROW}" width="${wa}" height="${ROW - 6}" fill="${r.after > r.before ? "#d92d20" : "#067647"}"></rect><text x="${LABEL + wa + 6}" y="${y + ROW + 12}" fill="#687080">${r.afterShown}</text></g>`;
})}</svg><figcaption class="muted">${options.caption}</figcaption></figure>`;
}
