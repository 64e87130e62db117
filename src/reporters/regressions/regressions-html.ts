/** `dbopt regressions` as an HTML page: per database, the statements that got slower (drawn), their causes, new and gone ones. */
import type { RegressionsReport, StatementPresence } from "../../pipeline/find-regressions.js";
import { formatCount, formatMs } from "../../util/format.js";
import { pairedBarChartSvg } from "../html/bar-chart-svg.js";
import { findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { regressionBars } from "../html/regression-bars.js";

export function renderRegressionsHtml(report: RegressionsReport, now?: Date): string {
  const targets = report.targets.map((t, i) => {
    const chart = pairedBarChartSvg(regressionBars(t.findings), {
      id: `target-${i + 1}-chart`,
      caption: "Mean time per call, baseline and recent",
      beforeName: "baseline",
      afterName: "recent",
    });
    return html`<section class="target" id="target-${i + 1}"><h2>${t.target}</h2>
<p>Baseline ${t.baseline.from} → ${t.baseline.to} (${t.baseline.samples} samples); recent ${t.recent.from} → ${t.recent.to} (${t.recent.samples} samples).</p>
${t.note ? html`<p class="muted">${t.note}</p>` : t.findings.length ? html`${chart}${findingsHtml(t.findings, { heading: "Regressions", id: `target-${i + 1}-findings` })}` : html`<p>No regressions among ${t.compared} statements that ran in both windows.</p>`}
${presence("New statements", t.newStatements)}${presence("Gone statements", t.goneStatements)}</section>`;
  });
  const all = report.targets.flatMap((t) => t.findings);
  return htmlPage({
    title: "dbopt regressions",
    subject: report.targets.map((t) => t.target).join(", ") || "no database in the store",
    summary: [
      ["Store", report.store],
      ["Databases", String(report.targets.length)],
      ["Regressions", String(all.length)],
      ["Test", report.method],
    ],
    body: html`${targets}`,
    ...(now ? { now } : {}),
  });
}

function presence(title: string, list: StatementPresence[]): Html | "" {
  if (!list.length) return "";
  return html`<h3>${title}</h3><table><thead><tr><th class="n">time</th><th class="n">calls</th><th>statement</th></tr></thead><tbody>${list.map((s) => html`<tr><td class="n">${formatMs(s.totalMs)}</td><td class="n">${formatCount(s.calls)}</td><td><code>${s.query}</code></td></tr>`)}</tbody></table>`;
}
