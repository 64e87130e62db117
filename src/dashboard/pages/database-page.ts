/**
 * A database's top statements over time: a stacked chart of time per point by statement (each sample, or bins read
 * from the rollups for long ranges), their totals, and links to the database's other pages.
 */
import type { StackedSeries, StatementTotals, TargetName, TimeRange } from "../../store/read-dashboard.js";
import { escapeHtml, formatCount, formatMs, jsonScript, page, shortQuery } from "../html.js";
import { rangeControls } from "../time-range.js";

export function databasePage(
  target: TargetName,
  range: TimeRange & { label: string },
  top: StatementTotals[],
  stacked: StackedSeries,
): string {
  const path = `/database/${target.id}`;
  const chart = {
    unit: "ms",
    stacked: true,
    x: stacked.times.map((t) => t.getTime() / 1000),
    series: [
      ...top.map((s, i) => ({
        label: `#${i + 1} ${shortQuery(s.query, 40)}`,
        values: stacked.byStatement[i] ?? [],
      })),
      { label: "all others", values: stacked.others },
    ],
    marks: [],
  };
  const rows = top
    .map(
      (
        s,
        i,
      ) => `<tr data-statement="${s.id}"><td class="n">${i + 1}</td><td><a href="/statement/${s.id}?${rangeQuery(range)}"><code>${escapeHtml(shortQuery(s.query))}</code></a></td>
<td class="n">${formatCount(s.calls)}</td><td class="n">${formatMs(s.totalMs)}</td><td class="n">${s.calls ? formatMs(s.totalMs / s.calls) : "—"}</td><td class="n">${formatCount(s.rows)}</td></tr>`,
    )
    .join("\n");
  const body = `<h1>${escapeHtml(target.databaseName)}</h1><p class="muted">${escapeHtml(target.address)}</p>
${rangeControls(path, range)}
<nav class="pages" id="database-pages"><a href="/database/${target.id}/findings">findings and index advice</a> · <a href="/database/${target.id}/growth?${rangeQuery(range)}">tables and indexes over time</a> · <a href="/database/${target.id}/settings">settings history</a></nav>
<h2>Time spent per ${stacked.bin}, by statement</h2>
${stacked.times.length ? `<div class="chart" id="time-chart" data-chart="time-data"></div>${jsonScript("time-data", chart)}` : `<p>No sample in this range.</p>`}
<h2>Top statements in the range</h2>
${top.length ? `<table id="statements"><thead><tr><th>#</th><th>statement</th><th>calls</th><th>total</th><th>mean</th><th>rows</th></tr></thead><tbody>${rows}</tbody></table>` : `<p>No statement ran in this range.</p>`}`;
  return page(target.databaseName, body, { charts: stacked.times.length > 0 });
}

/** The range as a query string, so a link keeps it. */
function rangeQuery(range: TimeRange & { label: string }): string {
  return range.label
    ? `last=${encodeURIComponent(range.label)}`
    : `from=${encodeURIComponent(range.from.toISOString())}&to=${encodeURIComponent(range.to.toISOString())}`;
}
