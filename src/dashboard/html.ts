/**
 * HTML text for the dashboard's pages. Everything from the store (statement text, names, errors) goes through
 * `escapeHtml`; data for the charts goes into a JSON script element through `jsonScript`, which cannot end it.
 */
import { escapeMarkup } from "../util/markup-text.js";

export const escapeHtml = escapeMarkup;

/** A value for a `<script type="application/json">`: `<` is escaped so no text can close the element. */
export function jsonScript(id: string, value: unknown): string {
  const json = JSON.stringify(value).replaceAll("<", "\\u003c");
  return `<script type="application/json" id="${escapeHtml(id)}">${json}</script>`;
}

/** "2026-12-02 05:30:00Z"; an empty mark for no time. */
export function formatTime(at: Date | null): string {
  if (!at) return "—";
  return at
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

export function formatMs(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** A statement's text cut to one line of about `max` characters. */
export function shortQuery(query: string, max = 120): string {
  const line = query.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:8px 16px}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px;max-width:1200px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border-bottom:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,monospace}pre{background:#fff;border:1px solid #e3e6ea;padding:8px;overflow:auto}
.warn{color:#a4330b}.muted{color:#687080}.chart{background:#fff;border:1px solid #e3e6ea;padding:8px;margin:8px 0}
.picture{overflow:auto;background:#fff;border:1px solid #e3e6ea;margin:8px 0}.diff-pictures{display:flex;gap:12px;flex-wrap:wrap}
.diff-side{flex:1 1 480px;min-width:0}.sev-error strong{color:#c62828}.sev-warning strong{color:#b26a00}.sev-info strong{color:#2f6fc0}
nav.pages{margin:8px 0}form.range{margin:8px 0}form.range input{font:inherit}nav.presets a{margin-right:8px}
`;

/** A whole page: the title, the body, and the chart script when the page draws charts. */
export function page(title: string, body: string, options: { charts?: boolean } = {}): string {
  const charts = options.charts
    ? `<link rel="stylesheet" href="/assets/uplot.css"><script src="/assets/uplot.js"></script><script src="/assets/charts.js" defer></script>`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · dbopt</title>
<style>${STYLE}</style>${charts}</head><body><header><a href="/">dbopt</a> <span class="muted">history store</span></header>
<main>${body}</main></body></html>`;
}
