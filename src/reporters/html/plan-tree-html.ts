/**
 * A plan as a table in tree order: each node's own time (or own cost) with a bar for its share, estimated and
 * actual rows, loops, the conditions under it, and the nodes findings point at marked.
 */

import { nodeLabel } from "../../facts/plan/node-label.js";
import type { AnalyzedPlan } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { formatCount, formatMs, formatPercent } from "../../util/format.js";
import { type Html, html } from "./html-text.js";

const SHOWN_PROPS = [
  "Index Cond",
  "Recheck Cond",
  "Hash Cond",
  "Merge Cond",
  "Join Filter",
  "Filter",
  "Sort Key",
  "Group Key",
  "Sort Method",
];

/** Deeper nodes are drawn at this indentation, with their depth written out. */
const MAX_INDENT = 40;

export function planTreeHtml(analyzed: AnalyzedPlan, flagged: ReadonlySet<number>): Html {
  const timed = analyzed.metrics.some((m) => m.exclusiveMs !== null);
  const rows: Html[] = [];
  // An explicit stack, children pushed last-first so they come out in order: depth costs no call stack.
  const stack: Array<[PlanNode, number]> = [[analyzed.plan.root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, depth] = entry;
    const m = analyzed.metrics[node.id];
    if (m) {
      const share = m.exclusiveShare ?? m.exclusiveCostShare ?? 0;
      const own = timed
        ? formatMs(m.exclusiveMs)
        : m.exclusiveCost === null
          ? "-"
          : m.exclusiveCost.toFixed(1);
      const actual =
        node.actual === null
          ? "never run"
          : node.actual
            ? `${formatCount(node.actual.rows)}${m.rowFactor !== null && m.rowFactor >= 10 ? ` (${m.rowDirection === "under" ? "▲" : "▼"}${Math.round(m.rowFactor)}×)` : ""}`
            : "";
      const props = SHOWN_PROPS.flatMap((key) => {
        const value = node.props[key];
        return value === undefined
          ? []
          : [`${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`];
      });
      const pad = "  ".repeat(Math.min(depth, MAX_INDENT));
      const indent = `${pad}${depth > MAX_INDENT ? `[depth ${depth}] ` : ""}${depth ? "└ " : ""}`;
      rows.push(html`<tr data-node="${node.id}"${flagged.has(node.id) ? html` class="flagged"` : ""}>
<td class="n">${own}</td><td class="n"><span class="bar" style="width:${Math.round(share * 60)}px"></span>${formatPercent(share)}</td>
<td class="n">${formatCount(node.planRows)}</td>${timed ? html`<td class="n">${actual}</td><td class="n">${node.actual ? formatCount(node.actual.loops) : ""}</td>` : ""}
<td class="node">${indent}${node.subplanName ? `[${node.subplanName}] ` : ""}${nodeLabel(node)} <span class="muted">#${node.id}</span>${flagged.has(node.id) ? " ◀" : ""}${props.length ? html`<div class="props">${props.map((p) => html`${pad}    ${p}\n`)}</div>` : ""}</td></tr>`);
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i] as PlanNode, depth + 1]);
  }
  return html`<table class="plan" id="plan-tree"><thead><tr><th class="n">${timed ? "own time" : "own cost"}</th><th class="n">share</th><th class="n">est rows</th>${timed ? html`<th class="n">actual rows</th><th class="n">loops</th>` : ""}<th>node</th></tr></thead><tbody>${rows}</tbody></table>`;
}
