/** A database's settings history: each change the samples saw (what, when, from and to), then the first values. */
import type { TargetName } from "../../store/read-dashboard.js";
import type { SettingChange } from "../../store/read-growth.js";
import { escapeHtml, formatTime, page } from "../html.js";

const value = (setting: string, unit: string | null) => `${setting}${unit ? ` ${unit}` : ""}`;

export function settingsPage(target: TargetName, history: SettingChange[]): string {
  const changes = history.filter((h) => h.previous !== null);
  const first = history.filter((h) => h.previous === null);
  const firstSeen = first.reduce<Date | null>((a, h) => (a === null || h.at < a ? h.at : a), null);
  const changeRows = changes
    .map(
      (c) =>
        `<tr data-setting="${escapeHtml(c.name)}"><td>${formatTime(c.at)}</td><td><code>${escapeHtml(c.name)}</code></td><td>${escapeHtml(value(c.previous ?? "", c.unit))}</td><td>${escapeHtml(value(c.setting, c.unit))}</td><td>${escapeHtml(c.source)}</td><td>${c.pendingRestart ? "pending restart" : ""}</td></tr>`,
    )
    .join("");
  const firstRows = first
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (c) =>
        `<tr><td><code>${escapeHtml(c.name)}</code></td><td>${escapeHtml(value(c.setting, c.unit))}</td><td>${escapeHtml(c.source)}</td><td>${formatTime(c.at)}</td></tr>`,
    )
    .join("");
  const body = `<h1>Settings history <span class="muted">on <a href="/database/${target.id}">${escapeHtml(target.databaseName)}</a></span></h1>
<h2>Changes</h2>
${changes.length ? `<table id="setting-changes"><thead><tr><th>seen at</th><th>setting</th><th>from</th><th>to</th><th>source</th><th></th></tr></thead><tbody>${changeRows}</tbody></table>` : `<p id="setting-changes">No setting changed since the first sample${firstSeen ? ` (${formatTime(firstSeen)})` : ""}.</p>`}
<p class="muted">A change is dated by the first sample that saw it; it happened between that sample and the one before.</p>
<h2>Values when first sampled</h2>
${first.length ? `<details><summary>${first.length} settings</summary><table id="setting-first"><thead><tr><th>setting</th><th>value</th><th>source</th><th>first seen</th></tr></thead><tbody>${firstRows}</tbody></table></details>` : "<p>No setting is stored.</p>"}`;
  return page(`Settings · ${target.databaseName}`, body);
}
