/** Ranked findings as HTML: the sections of ranking.ts in order, each finding with its evidence and its fix. */
import type { Finding } from "../../findings/finding.js";
import { costOf, rankedSections } from "../findings/ranked-sections.js";
import { type Html, html, safeHref } from "./html-text.js";

/** Every finding, cut into the ranked sections (risks, costing time, hygiene); a line when there is none. */
export function findingsHtml(findings: Finding[], options: { heading?: string; id?: string } = {}): Html {
  const heading = options.heading ?? "Findings";
  const id = options.id ?? "findings";
  if (!findings.length)
    return html`<section id="${id}"><h2>${heading}</h2><p class="muted">No findings.</p></section>`;
  return html`<section id="${id}"><h2>${heading} (${findings.length})</h2>${rankedSections(findings).map(
    (section) =>
      html`<section class="ranked ${section.section}"><h3>${section.title}</h3>${section.findings.map(
        ({ n, f }) => findingHtml(f, n),
      )}</section>`,
  )}</section>`;
}

/** One finding: severity, title, what it costs, detail, evidence, where, the fix SQL and what the fix does. */
export function findingHtml(f: Finding, n?: number): Html {
  const cost = costOf(f);
  const docs = safeHref(f.docsUrl);
  const evidence = Object.entries(f.evidence);
  return html`<article class="finding ${f.severity}" data-rule="${f.ruleId}"${f.nodeId !== undefined ? html` data-node="${f.nodeId}"` : ""}>
<h3>${n !== undefined ? `${n}. ` : ""}<span class="severity ${f.severity}">${f.severity}</span><span class="title">${f.title}</span></h3>
<div class="rule">${f.ruleId}${cost ? html` · <span class="cost">${cost}</span>` : ""}${f.nodeId !== undefined ? ` · plan node #${f.nodeId}` : ""}${docs ? html` · <a href="${docs}">docs</a>` : ""}</div>
<p class="detail">${f.detail}</p>
${f.location ? html`<p class="location">At <code>${f.location.file}:${f.location.line}:${f.location.column}</code></p>` : ""}
${f.query ? html`<pre class="query">${f.query}</pre>` : ""}
${f.objects?.length ? html`<p class="objects">Objects: ${f.objects.map((o, i) => html`${i ? ", " : ""}<code>${o}</code>`)}</p>` : ""}
${evidence.length ? html`<dl class="evidence">${evidence.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null ? "null" : String(v)}</dd>`)}</dl>` : ""}
${f.fix ? html`<div class="fix"><p class="note"><strong>Fix:</strong> ${f.fix.note}</p>${f.fix.sql ? html`<pre class="sql">${String(f.fix.sql)}</pre>` : ""}</div>` : ""}
${f.alsoFixes?.length ? html`<p class="also">The same fix also resolves:</p><ul class="also">${f.alsoFixes.map((a) => html`<li><span class="severity ${a.severity}">${a.severity}</span>${a.title} <span class="rule">${a.ruleId}</span></li>`)}</ul>` : ""}
</article>`;
}
