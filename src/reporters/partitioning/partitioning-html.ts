/** `dbopt advise partitioning` as an HTML page: the findings, then each table's measurements and migration. */
import type { PartitioningReport } from "../../pipeline/advise-partitioning.js";
import { serverName } from "../../util/format.js";
import { findingsHtml } from "../html/findings-html.js";
import { type Html, html } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { partitionAdviceLines } from "./partitioning-lines.js";

export function renderPartitioningHtml(report: PartitioningReport, now?: Date): string {
  const tables = report.advice.map((a) => {
    const { setting, proof, lint, notes, migration } = partitionAdviceLines(a);
    const [heading, ...copied] = setting;
    const where = heading ? html`<p><strong>${heading}</strong></p>${bullets(copied)}` : html``;
    return html`<h2>${a.table}</h2>${where}${bullets(proof)}<p>${lint}</p>${bullets(notes)}<pre><code>${migration.join("\n")}</code></pre>`;
  });
  return htmlPage({
    title: "dbopt advise partitioning",
    subject: report.server.database,
    server: serverName(report.server.version),
    capturedAt: report.generatedAt,
    summary: [
      ["Tables to partition", String(report.advice.length)],
      [
        "Measured on",
        report.advice.some((a) => a.proofOn?.kind === "sample")
          ? "a sampled copy (embedded PostgreSQL 18)"
          : report.advice.some((a) => a.proofOn?.kind === "sandbox")
            ? "the sandbox"
            : "not measured",
      ],
    ],
    notes: report.notes,
    body: html`${findingsHtml(report.findings)}${tables}`,
    ...(now ? { now } : {}),
  });
}

/** Lines as a list, or nothing when there are none. */
function bullets(lines: string[]): Html {
  return lines.length ? html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : html``;
}
