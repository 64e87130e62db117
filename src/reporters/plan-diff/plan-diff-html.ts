/** `dbopt explain --compare` as an HTML page: the verdict, where the plans diverge, and the merged tree node by node. */
import type { Finding } from "../../findings/finding.js";
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { formatMs } from "../../util/format.js";
import { pairedBarChartSvg } from "../html/bar-chart-svg.js";
import { html, trustedMarkup } from "../html/html-text.js";
import { htmlPage } from "../html/page-shell.js";
import { planPictureSvg } from "../plan-picture/plan-picture-svg.js";
import { entryFigures, entryTitle, MAX_INDENT_DEPTH } from "./diff-columns.js";

/** What the plan rules found in each plan, to colour its picture as the dashboard does. */
export interface SideFindings {
  before: readonly Finding[];
  after: readonly Finding[];
}

export function renderPlanComparisonHtml(
  report: PlanComparison,
  options: { findings?: SideFindings; now?: Date } = {},
): string {
  const { verdict } = report;
  const now = options.now;
  const pictures = html`<section id="plan-pictures"><h2>The two plans</h2><div class="sides">${(
    ["before", "after"] as const
  ).map(
    (side) =>
      html`<div class="side"><h3>${side === "before" ? "Before" : "After"}: ${report[side].source}</h3><figure class="picture" id="plan-picture-${side}">${trustedMarkup(
        // planPictureSvg escapes every name and figure it writes (util/markup-text.ts).
        planPictureSvg(report.plans[side], options.findings?.[side] ?? [], { title: `${side} plan` }),
      )}</figure></div>`,
  )}</div></section>`;
  const divergence = verdict.divergence
    ? html`<section id="divergence"><h2>${verdict.sameShape ? "Same plan shape; the node that changed most" : "Where the plans diverge"}: ${verdict.divergence.label}</h2><ul>${verdict.divergence.why.map((w) => html`<li>${w}</li>`)}</ul></section>`
    : html`<section id="divergence"><h2>No divergence</h2><p>The plans have the same shape and the same figures.</p></section>`;
  const others = verdict.reasons.filter((r) => !verdict.divergence?.why.includes(r.text));
  // The nodes whose own time (or cost) changed most, drawn side by side.
  const measured = report.entries
    .map((e, i) => {
      const figure = entryFigures(e, verdict.measure).find(
        (f) => f.name === (verdict.measure === "time" ? "time" : "cost"),
      );
      return { i, e, before: figure?.before ?? 0, after: figure?.after ?? 0 };
    })
    .filter((x) => x.before || x.after)
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before))
    .slice(0, 10);
  const show = (v: number) => (verdict.measure === "time" ? formatMs(v) : v.toFixed(0));
  const chart = pairedBarChartSvg(
    measured.map((x) => ({
      label: `#${x.i} ${entryTitle(x.e)}`,
      before: x.before,
      after: x.after,
      beforeShown: show(x.before),
      afterShown: show(x.after),
    })),
    {
      id: "node-changes-chart",
      caption: `The nodes whose own ${verdict.measure} changed most`,
      beforeName: "before",
      afterName: "after",
    },
  );
  const rows = report.entries.map((entry, i) => {
    const depth = Math.min(entry.depth, MAX_INDENT_DEPTH);
    const indent = `${"  ".repeat(depth)}${entry.depth > MAX_INDENT_DEPTH ? `[depth ${entry.depth}] ` : ""}`;
    const diverges = verdict.divergence?.entry === i;
    const status = entry.status === "same" ? "" : entry.status;
    return html`<tr class="${status}${diverges ? " diverges" : ""}" data-entry="${i}"><td>${status}</td><td class="node" style="white-space:pre">${indent}${entryTitle(entry)}${diverges ? (verdict.sameShape ? " ◀ changed most" : " ◀ diverges here") : ""}</td><td>${entryFigures(entry, verdict.measure).map((f) => html`${f.name} ${f.text}<br>`)}</td><td>${[...entry.shapeChanges, ...entry.runtimeChanges].map((c) => html`${c}<br>`)}</td></tr>`;
  });
  return htmlPage({
    title: "dbopt explain --compare",
    subject: `${report.before.source} → ${report.after.source}`,
    summary: [
      ["Verdict", verdict.summary],
      ["Planning", verdict.planning ?? "-"],
      ["Compared by", verdict.comparable],
      ["Nodes", `${report.before.nodes} before, ${report.after.nodes} after`],
    ],
    notes: [
      ...report.notes,
      ...report.before.notes.map((n) => `before: ${n}`),
      ...report.after.notes.map((n) => `after: ${n}`),
    ],
    body: html`${divergence}${pictures}${others.length ? html`<section id="other-differences"><h2>Other differences</h2><ul>${others.map((r) => html`<li>${r.text}</li>`)}</ul></section>` : ""}
${chart}
<section id="plan-diff"><h2>Node by node</h2><p class="muted">Added nodes green, removed red, changed yellow; time and buffers are the node's own.</p>
<table class="plan"><thead><tr><th></th><th>node</th><th>figures (before → after)</th><th>changes</th></tr></thead><tbody>${rows}</tbody></table></section>`,
    ...(now ? { now } : {}),
  });
}
