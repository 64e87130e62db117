/**
 * A database's tables and indexes over time: total size of the largest tables, size of the largest indexes, dead
 * rows and transaction-ID age of the worst tables, one line per relation, with the change over the range.
 */
import type { TargetName, TimeRange } from "../../store/read-dashboard.js";
import type { Growth, RelationSeries } from "../../store/read-growth.js";
import { formatBytes, formatCount } from "../../util/format.js";
import { escapeHtml, jsonScript, page } from "../html.js";
import { rangeControls } from "../time-range.js";

function chart(
  id: string,
  title: string,
  unit: string,
  growth: Growth,
  series: RelationSeries[],
  show: (n: number) => string,
): string {
  if (series.length === 0)
    return `<h2>${escapeHtml(title)}</h2><p id="${id}-none">Nothing to draw in this range.</p>`;
  const rows = series
    .map(
      (s) =>
        `<tr><td><code>${escapeHtml(s.name)}</code></td><td class="n">${s.first === null ? "—" : show(s.first)}</td><td class="n">${s.last === null ? "—" : show(s.last)}</td><td class="n">${s.first === null || s.last === null ? "—" : `${s.last >= s.first ? "+" : "−"}${show(Math.abs(s.last - s.first))}`}</td></tr>`,
    )
    .join("");
  return `<h2>${escapeHtml(title)}</h2><div class="chart" id="${id}-chart" data-chart="${id}-data"></div>${jsonScript(
    `${id}-data`,
    {
      unit,
      stacked: false,
      x: growth.times.map((t) => t.getTime() / 1000),
      series: series.map((s) => ({ label: s.name, values: s.values })),
      marks: [],
    },
  )}<table id="${id}-table"><thead><tr><th>relation</th><th>first</th><th>last</th><th>change</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function growthPage(target: TargetName, range: TimeRange & { label: string }, growth: Growth): string {
  const path = `/database/${target.id}/growth`;
  const mb = (n: number) => formatBytes(n);
  const drawn = growth.times.length > 0;
  const body = `<h1>Tables and indexes over time <span class="muted">on <a href="/database/${target.id}">${escapeHtml(target.databaseName)}</a></span></h1>
${rangeControls(path, range)}
<p class="muted" id="resolution">${growth.times.length} points, one ${escapeHtml(growth.bin)} each (the last sample in it: sizes and counters are read as they were, not summed).</p>
${
  drawn
    ? [
        chart(
          "table-size",
          "Largest tables: total size (table, TOAST and indexes)",
          "bytes",
          growth,
          growth.tableBytes,
          mb,
        ),
        chart("index-size", "Largest indexes: size", "bytes", growth, growth.indexBytes, mb),
        chart(
          "dead-rows",
          "Dead rows (what VACUUM can reclaim: the bloat the store can see)",
          "rows",
          growth,
          growth.deadRows,
          formatCount,
        ),
        `<p class="muted">The store keeps no pg_stats, so it has no size-based bloat estimate; dead rows are the part of bloat the counters show. <code>dbopt check</code> estimates table and index bloat on the database.</p>`,
        chart(
          "xid-age",
          "Transaction-ID age (age of relfrozenxid: wraparound is at 2 billion)",
          "xids",
          growth,
          growth.xidAge,
          formatCount,
        ),
      ].join("\n")
    : "<p>No sample in this range.</p>"
}`;
  return page(`Growth · ${target.databaseName}`, body, { charts: drawn });
}
