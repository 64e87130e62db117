/** `dbopt tune` (PostgreSQL, MySQL, MariaDB) as an HTML page: each setting, current and recommended, and the script. */
import type { TuneReport } from "../../pipeline/tune-settings.js";
import { formatBytes } from "../../util/format.js";
import { html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { alterSystemScript } from "./alter-system-script.js";

/** `script`: the statements to apply; the PostgreSQL ALTER SYSTEM script when absent (MySQL passes its own). */
export function renderTuneHtml(report: TuneReport, options: { script?: string; now?: Date } = {}): string {
  const m = report.machine;
  const script = options.script ?? alterSystemScript(report).join("\n");
  const changed = report.recommendations.filter((r) => r.changed).length;
  return htmlPage({
    title: "dbopt tune",
    subject: report.target ?? "no database (the machine alone)",
    summary: [
      ["Machine", `${formatBytes(m.ramBytes)} RAM, ${m.cpus ?? "?"} cores, ${m.storage.toUpperCase()}`],
      ["Workload", `${m.workload}, ${m.connections ?? "default"} connections`],
      ["Settings to change", `${changed} of ${report.recommendations.length}`],
    ],
    notes: report.notes,
    body: html`<section id="settings"><h2>Settings</h2><table><thead><tr><th>setting</th><th class="n">current</th><th class="n">recommended</th><th>restart</th><th>reason</th></tr></thead><tbody>
${report.recommendations.map((r) => html`<tr${r.changed ? html` class="changed"` : ""}><td><code>${r.name}</code></td><td class="n">${r.current ?? "-"}</td><td class="n">${r.changed ? html`<strong>${r.recommended}</strong>` : r.recommended}</td><td>${r.restart ? "yes" : ""}</td><td>${r.reason}</td></tr>`)}
</tbody></table></section>
<section id="apply"><h2>To apply (review first)</h2><pre class="sql">${script}</pre></section>`,
    ...(options.now ? { now: options.now } : {}),
  });
}
