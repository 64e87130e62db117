/** The first page: every database in the store with its health at a glance. */
import type { TargetHealth } from "../../store/read-dashboard.js";
import { escapeHtml, formatCount, formatMs, formatTime, page, shortQuery } from "../html.js";

export function databasesPage(targets: TargetHealth[], store: string): string {
  if (targets.length === 0)
    return page(
      "Databases",
      `<h1>Databases</h1><p>The store ${escapeHtml(store)} holds no database yet. Fill it with
<code>dbopt collect --db postgresql://... --store ...</code>.</p>`,
    );
  const rows = targets
    .map((t) => {
      const gaps = t.gaps
        ? `<span class="warn" title="${escapeHtml(t.lastGapError ?? "")}">${formatCount(t.gaps)} (last ${formatTime(t.lastGap)}: ${escapeHtml(shortQuery(t.lastGapError ?? "", 80))})</span>`
        : "0";
      const top = t.topStatement
        ? `<a href="/statement/${t.topStatement.id}">${escapeHtml(shortQuery(t.topStatement.query, 80))}</a> <span class="muted">${formatMs(t.topStatement.totalMs)}</span>`
        : `<span class="muted">none in the last hour of samples</span>`;
      return `<tr data-target="${t.id}"><td><a href="/database/${t.id}">${escapeHtml(t.databaseName)}</a><br><span class="muted">${escapeHtml(t.address)}${t.serverVersion ? ` · PostgreSQL ${escapeHtml(t.serverVersion)}` : ""}</span></td>
<td class="n">${formatCount(t.samples)}</td><td>${formatTime(t.firstSample)}</td><td>${formatTime(t.lastSample)}</td><td>${gaps}</td><td>${top}</td></tr>`;
    })
    .join("\n");
  return page(
    "Databases",
    `<h1>Databases</h1><p class="muted">store ${escapeHtml(store)}</p>
<table id="databases"><thead><tr><th>database</th><th>samples</th><th>first sample</th><th>last sample</th><th>gaps</th><th>most time, last hour</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}
