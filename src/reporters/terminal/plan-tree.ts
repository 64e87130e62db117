import { nodeLabel } from "../../facts/plan/node-label.js";
import type { AnalyzedPlan } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { formatCount, formatMs, formatPercent } from "../../util/format.js";
import type { Palette } from "./palette.js";

/** The properties worth a line under a node in the tree, in this order. */
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
  "Workers Planned",
  "Workers Launched",
];

const COLUMNS = 11 + 2 + 5 + 2 + 24 + 2 + 6 + 2;

/**
 * The plan as an indented tree: own time, share of the total, estimated → actual rows and loops for each node,
 * the conditions below it, and hot nodes in colour.
 */
export function renderPlanTree(analyzed: AnalyzedPlan, p: Palette, flaggedNodes: Set<number>): string[] {
  const timed = analyzed.metrics.some((m) => m.exclusiveMs !== null);
  const header = timed
    ? `${"own time".padStart(11)}  ${"share".padStart(5)}  ${"rows est → actual".padStart(24)}  ${"loops".padStart(6)}  node`
    : `${"own cost".padStart(11)}  ${"share".padStart(5)}  ${"est rows".padStart(24)}  ${"".padStart(6)}  node`;
  const lines = [p.dim(header)];
  // An explicit stack, children pushed last-first so they print in order: depth costs no call stack.
  const stack: Array<[PlanNode, string, boolean, boolean]> = [[analyzed.plan.root, "", true, true]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, prefix, last, root] = entry;
    const m = analyzed.metrics[node.id];
    if (!m) continue;
    const share = m.exclusiveShare ?? m.exclusiveCostShare ?? 0;
    const paint = share >= 0.3 ? p.red : share >= 0.1 ? p.yellow : (s: string) => s;
    const own = timed ? formatMs(m.exclusiveMs) : m.exclusiveCost === null ? "-" : m.exclusiveCost.toFixed(1);
    let rows: string;
    if (node.actual === null) rows = `${formatCount(node.planRows)} → never run`;
    else if (node.actual) {
      const off = m.rowFactor !== null && m.rowFactor >= 10;
      const factor = off
        ? ` (${m.rowDirection === "under" ? "▲" : "▼"}${Math.round(m.rowFactor ?? 0)}×)`
        : "";
      rows = `${formatCount(node.planRows)} → ${formatCount(node.actual.rows)}${factor}`;
    } else rows = formatCount(node.planRows);
    const loops = node.actual ? formatCount(node.actual.loops) : "";
    const branch = root ? "" : last ? "└─ " : "├─ ";
    const sub = node.subplanName ? `${p.cyan(`[${node.subplanName}]`)} ` : "";
    const flag = flaggedNodes.has(node.id) ? p.bold(" ◀") : "";
    lines.push(
      `${paint(own.padStart(11))}  ${paint(formatPercent(share).padStart(5))}  ${rows.padStart(24)}  ${loops.padStart(6)}  ` +
        `${p.dim(prefix + branch)}${sub}${paint(p.bold(nodeLabel(node)))} ${p.dim(`#${node.id}`)}${flag}`,
    );
    const childPrefix = root ? "" : prefix + (last ? "   " : "│  ");
    const detailPrefix = `${" ".repeat(COLUMNS)}${p.dim(childPrefix + (node.children.length ? "│  " : "   "))}`;
    for (const key of SHOWN_PROPS) {
      const value = node.props[key];
      if (value === undefined) continue;
      lines.push(
        `${detailPrefix}${p.dim(`${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)}`,
      );
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push([node.children[i] as PlanNode, childPrefix, i === node.children.length - 1, false]);
    }
  }
  return lines;
}
