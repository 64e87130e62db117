/**
 * Two stored plans of a statement compared: the verdict, where they diverge and why, both plans drawn as pictures
 * side by side, and the node-by-node diff.
 */
import type { Plan } from "../../facts/plan/plan-model.js";
import type { Finding } from "../../findings/finding.js";
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { renderPlanComparisonTerminal } from "../../reporters/plan-diff/plan-diff-terminal.js";
import { planPictureSvg } from "../../reporters/plan-picture/plan-picture-svg.js";
import type { StoredStatement } from "../../store/read-dashboard.js";
import { escapeHtml, page } from "../html.js";

export interface DiffSide {
  label: string;
  plan: Plan;
  findings: Finding[];
}

/** Both plans drawn side by side, the node where they diverge outlined in each (when it is in it). */
function pictures(before: DiffSide, after: DiffSide, comparison: PlanComparison | null): string {
  const entry = comparison?.verdict.divergence
    ? comparison.entries[comparison.verdict.divergence.entry]
    : undefined;
  const mark = (id: number | null | undefined) =>
    id === null || id === undefined ? undefined : new Map([[id, "diverges here"]]);
  const side = (s: DiffSide, id: string, marked: Map<number, string> | undefined) =>
    `<div class="diff-side" id="${id}"><h3>${escapeHtml(s.label)}</h3><div class="picture">${planPictureSvg(s.plan, s.findings, { title: s.label, ...(marked ? { marked } : {}) })}</div></div>`;
  return `<h2>The two plans</h2><div class="diff-pictures">${side(before, "before-picture", mark(entry?.beforeId))}${side(after, "after-picture", mark(entry?.afterId))}</div>`;
}

export function planDiffPage(
  statement: StoredStatement,
  comparison: PlanComparison | { mismatch: string },
  sides: [before: DiffSide, after: DiffSide],
): string {
  const head = `<h1>Plan diff <span class="muted">of <a href="/statement/${statement.id}">statement ${statement.id}</a> on ${escapeHtml(statement.databaseName)}</span></h1>
<pre id="query">${escapeHtml(statement.query)}</pre>`;
  if ("mismatch" in comparison)
    return page(
      "Plan diff",
      `${head}<p class="warn">${escapeHtml(comparison.mismatch)}</p>${pictures(sides[0], sides[1], null)}`,
    );
  const { verdict } = comparison;
  const divergence = verdict.divergence
    ? `<h2 id="divergence">${verdict.sameShape ? "Same plan shape; the node that changed most" : "Where the plans diverge"}: <code>${escapeHtml(verdict.divergence.label)}</code></h2>
<ul>${verdict.divergence.why.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
    : `<h2 id="divergence">The plans have the same shape and the same figures.</h2>`;
  const body = `${head}<p id="verdict">${escapeHtml(verdict.summary)}</p><p class="muted">${escapeHtml(verdict.comparable)}</p>
${divergence}
${pictures(sides[0], sides[1], comparison)}
<h2>Node by node</h2><pre id="plan-diff">${escapeHtml(renderPlanComparisonTerminal(comparison, { colour: false }))}</pre>`;
  return page("Plan diff", body);
}
