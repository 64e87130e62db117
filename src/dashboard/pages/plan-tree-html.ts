/** A stored plan as a nested list: each node's type, what it reads, its estimated cost and rows. */
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { escapeHtml, formatCount } from "../html.js";

function label(node: PlanNode): string {
  const parts = [`<strong>${escapeHtml(node.nodeType)}</strong>`];
  if (node.subplanName) parts.unshift(`<span class="muted">${escapeHtml(node.subplanName)}</span>`);
  const join = node.details["Join Type"];
  if (join && join !== "Inner") parts.push(escapeHtml(join));
  if (node.indexName) parts.push(`using <code>${escapeHtml(node.indexName)}</code>`);
  if (node.relationName)
    parts.push(
      `on <code>${escapeHtml(node.schema ? `${node.schema}.${node.relationName}` : node.relationName)}</code>`,
    );
  const figures: string[] = [];
  if (node.cost) figures.push(`cost ${node.cost.total.toFixed(2)}`);
  if (node.planRows !== null) figures.push(`${formatCount(node.planRows)} rows`);
  if (figures.length) parts.push(`<span class="muted">(${figures.join(", ")})</span>`);
  return parts.join(" ");
}

export function planTreeHtml(root: PlanNode): string {
  const item = (node: PlanNode): string =>
    `<li>${label(node)}${node.children.length ? `<ul>${node.children.map(item).join("")}</ul>` : ""}</li>`;
  return `<ul class="plan">${item(root)}</ul>`;
}
