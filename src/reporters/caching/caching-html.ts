/** `dbopt advise caching` as an HTML page: the findings, then the cache-aside wrapper. */
import type { CachingReport } from "../../pipeline/advise-caching.js";
import { formatAge, serverName } from "../../util/format.js";
import { findingsHtml } from "../html/findings-html.js";
import { html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";

export function renderCachingHtml(report: CachingReport, now?: Date): string {
  const code = report.code
    ? html`<h2>Cache-aside wrapper (TypeScript, ioredis)</h2><pre><code>${report.code.wrapper}${report.code.listener ? `\n${report.code.listener}` : ""}</code></pre>`
    : html``;
  return htmlPage({
    title: "dbopt advise caching",
    subject: report.server.database,
    server: serverName(report.server.version),
    capturedAt: report.generatedAt,
    summary: [
      ["Statements read", String(report.statementsRead)],
      ["Statistics period", report.periodS === null ? "unknown" : formatAge(report.periodS)],
      ["Replayed against Redis", report.verified ? "yes" : "no"],
    ],
    notes: report.notes,
    body: html`${findingsHtml(report.findings)}${code}`,
    ...(now ? { now } : {}),
  });
}
