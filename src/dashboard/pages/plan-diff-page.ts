/** Two stored plans of a statement compared: the verdict, where they diverge and why, and the node-by-node diff. */
import type { PlanComparison } from "../../pipeline/compare-plans.js";
import { renderPlanComparisonTerminal } from "../../reporters/plan-diff/plan-diff-terminal.js";
import type { StoredStatement } from "../../store/read-dashboard.js";
import { escapeHtml, page } from "../html.js";

export function planDiffPage(
  statement: StoredStatement,
  comparison: PlanComparison | { mismatch: string },
): string {
  const head = `<h1>Plan diff <span class="muted">of <a href="/statement/${statement.id}">statement ${statement.id}</a> on ${escapeHtml(statement.databaseName)}</span></h1>
<pre id="query">${escapeHtml(statement.query)}</pre>`;
  if ("mismatch" in comparison)
    return page("Plan diff", `${head}<p class="warn">${escapeHtml(comparison.mismatch)}</p>`);
  const { verdict } = comparison;
  const divergence = verdict.divergence
    ? `<h2 id="divergence">${verdict.sameShape ? "Same plan shape; the node that changed most" : "Where the plans diverge"}: <code>${escapeHtml(verdict.divergence.label)}</code></h2>
<ul>${verdict.divergence.why.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
    : `<h2 id="divergence">The plans have the same shape and the same figures.</h2>`;
  const body = `${head}<p id="verdict">${escapeHtml(verdict.summary)}</p><p class="muted">${escapeHtml(verdict.comparable)}</p>
${divergence}
<h2>Node by node</h2><pre id="plan-diff">${escapeHtml(renderPlanComparisonTerminal(comparison, { colour: false }))}</pre>`;
  return page("Plan diff", body);
}
