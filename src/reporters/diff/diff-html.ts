/**
 * `dbopt diff` as an HTML page: both sides, the regressions with their causes (mean per call before and after
 * drawn), statements on both sides, new and gone ones, and the changes in between (plans, indexes, settings,
 * growth, statistics).
 */
import type { DiffReport, StatementFigures, StatementOnOneSide } from "../../pipeline/diff-snapshots.js";
import { formatCount, formatMs, serverName } from "../../util/format.js";
import { pairedBarChartSvg } from "../html/bar-chart-svg.js";
import { findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { regressionBars } from "../html/regression-bars.js";
import { beforeAfter, changeLines } from "./diff-lines.js";

const FIGURES: Array<[keyof StatementFigures, string]> = [
  ["calls", "calls"],
  ["meanMs", "mean"],
  ["totalMs", "total"],
  ["rows", "rows"],
  ["sharedBlksRead", "blocks read"],
  ["tempBytes", "temp"],
];

export function renderDiffHtml(report: DiffReport, now?: Date): string {
  const chart = pairedBarChartSvg(regressionBars(report.findings), {
    id: "regressions-chart",
    caption: "Mean time per call, before and after",
    beforeName: "before",
    afterName: "after",
  });
  const statements = report.statements.length
    ? html`<section id="statements"><h2>Statements on both sides</h2><table><thead><tr><th>statement</th>${FIGURES.map(([, name]) => html`<th class="n">${name}</th>`)}</tr></thead><tbody>${report.statements.map(
        (s) =>
          html`<tr${s.regressed ? html` class="changed"` : ""}><td><code>${s.query}</code><div class="muted">${s.verdict}</div></td>${FIGURES.map(([field]) => html`<td class="n">${beforeAfter(s.before, s.after, field)}</td>`)}</tr>`,
      )}</tbody></table>${report.statementsOmitted ? html`<p class="muted">${report.statementsOmitted} more in --format json.</p>` : ""}</section>`
    : "";
  const changes = changeLines(report).map(
    (c) =>
      html`<section class="changes"><h2>${c.title}</h2><ul>${c.lines.map((l) => html`<li>${l}</li>`)}</ul></section>`,
  );
  return htmlPage({
    title: "dbopt diff",
    subject: report.before.database,
    server: serverName(report.after.serverVersion),
    summary: [
      ["Before", `${report.before.label}: ${report.before.window.description}`],
      ["After", `${report.after.label}: ${report.after.window.description}`],
      [
        "Statement time",
        `${formatMs(report.before.totalMs)} → ${formatMs(report.after.totalMs)} (${formatCount(report.before.calls)} → ${formatCount(report.after.calls)} calls)`,
      ],
      ["Regressions", String(report.findings.length)],
      ["Test", report.method],
    ],
    notes: report.notes,
    body: html`${report.findings.length ? chart : ""}${findingsHtml(report.findings, { heading: "Regressions" })}${statements}${oneSide("New statements", report.newStatements)}${oneSide("Gone statements", report.goneStatements)}${changes}`,
    ...(now ? { now } : {}),
  });
}

function oneSide(title: string, list: StatementOnOneSide[]): Html | "" {
  if (!list.length) return "";
  return html`<section><h2>${title}</h2><table><thead><tr><th class="n">time</th><th class="n">calls</th><th class="n">mean</th><th>statement</th></tr></thead><tbody>${list.map((s) => html`<tr><td class="n">${formatMs(s.figures.totalMs)}</td><td class="n">${formatCount(s.figures.calls)}</td><td class="n">${formatMs(s.figures.meanMs)}</td><td><code>${s.query}</code></td></tr>`)}</tbody></table></section>`;
}
