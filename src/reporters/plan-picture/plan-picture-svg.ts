/**
 * A plan as a picture: a top-down tree of boxes, each sized by the node's own time (its own estimated cost when the
 * plan was not run) and coloured by the worst finding on it. A pure function from a plan and its findings to one SVG
 * string with its styles in attributes, so the picture shows inline in a page or a saved file with no script, no
 * stylesheet and no network. Each box's <title> (a tooltip in browsers) carries its figures and findings.
 */

import { nodeLabel } from "../../facts/plan/node-label.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import type { Plan, PlanNode } from "../../facts/plan/plan-model.js";
import { type Finding, SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent } from "../../util/format.js";
import { escapeMarkup } from "../../util/markup-text.js";
import { layOutTree } from "./tree-layout.js";

export interface PlanPictureOptions {
  /** The picture's accessible name; "Plan" when absent. */
  title?: string;
  /** Nodes to outline, with why (a plan diff marks where two plans diverge): node id → label. */
  marked?: ReadonlyMap<number, string>;
}

/** Box sizes: a node with none of the time is the smallest box, one with all of it the largest (by area). */
const MIN_W = 150;
const MAX_W = 260;
const MIN_H = 52;
const MAX_H = 92;
const GAP_X = 18;
const GAP_Y = 38;
const PAD = 12;
const LEGEND_H = 28;
const LEGEND_W = 420;

const COLOURS: Record<Severity | "none", { stroke: string; fill: string }> = {
  error: { stroke: "#c62828", fill: "#fde0dc" },
  warning: { stroke: "#b26a00", fill: "#fff0c2" },
  info: { stroke: "#2f6fc0", fill: "#e1ecfb" },
  none: { stroke: "#8a93a3", fill: "#ffffff" },
};

interface Box {
  node: PlanNode;
  parent: PlanNode | null;
  x: number;
  y: number;
  w: number;
  h: number;
  share: number | null;
  severity: Severity | "none";
  findings: Finding[];
  figures: string;
}

export function planPictureSvg(
  plan: Plan,
  findings: readonly Finding[],
  options: PlanPictureOptions = {},
): string {
  const analyzed = analyzePlan(plan);
  const timed = analyzed.metrics.some((m) => m.exclusiveMs !== null);
  const byNode = new Map<number, Finding[]>();
  for (const f of findings) {
    if (f.nodeId === undefined) continue;
    const list = byNode.get(f.nodeId) ?? [];
    list.push(f);
    byNode.set(f.nodeId, list);
  }
  const layout = layOutTree(plan.root);
  const boxes: Box[] = layout.places.map((place) => {
    const m = analyzed.metrics[place.node.id];
    const share = (timed ? m?.exclusiveShare : m?.exclusiveCostShare) ?? null;
    const scale = Math.sqrt(Math.min(1, Math.max(0, share ?? 0)));
    const onNode = (byNode.get(place.node.id) ?? []).sort(
      (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );
    return {
      node: place.node,
      parent: place.parent,
      x: place.column,
      y: place.row,
      w: MIN_W + (MAX_W - MIN_W) * scale,
      h: MIN_H + (MAX_H - MIN_H) * scale,
      share,
      severity: onNode[0]?.severity ?? "none",
      findings: onNode,
      figures: figuresOf(
        place.node,
        timed ? (m?.exclusiveMs ?? null) : (m?.exclusiveCost ?? null),
        timed,
        share,
      ),
    };
  });
  // Every column is as wide as the widest box and every row as tall as the tallest, so no two boxes overlap.
  const slotW = Math.max(...boxes.map((b) => b.w)) + GAP_X;
  const rowH = Math.max(...boxes.map((b) => b.h)) + GAP_Y;
  const top = PAD + LEGEND_H;
  for (const b of boxes) {
    const centre = PAD + b.x * slotW + slotW / 2;
    b.x = centre - b.w / 2;
    b.y = top + b.y * rowH;
  }
  // Wide enough for the legend too, so a one-column plan does not cut it.
  const width = Math.ceil(Math.max(PAD * 2 + layout.columns * slotW, LEGEND_W + (timed ? 0 : 200)));
  const height = Math.ceil(top + layout.rows * rowH - GAP_Y + PAD);
  const boxOf = new Map(boxes.map((b) => [b.node, b]));
  const edges = boxes
    .filter((b) => b.parent)
    .map((b) => edge(boxOf.get(b.parent as PlanNode) as Box, b, rowH - GAP_Y))
    .join("");
  const planWide = findings.filter((f) => f.nodeId === undefined).length;
  const title = `${options.title ?? "Plan"}: ${boxes.length} nodes, sized by ${timed ? "own time" : "own estimated cost"}${findings.length ? `, ${findings.length} findings` : ""}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="plan-picture" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${escapeMarkup(title)}</title>`,
    legend(timed, planWide),
    `<g class="plan-edges" fill="none">${edges}</g>`,
    boxes.map((b) => drawBox(b, options.marked?.get(b.node.id))).join(""),
    "</svg>",
  ].join("");
}

function figuresOf(node: PlanNode, own: number | null, timed: boolean, share: number | null): string {
  const parts: string[] = [];
  if (own !== null) parts.push(timed ? formatMs(own) : `cost ${own.toFixed(own >= 100 ? 0 : 1)}`);
  if (share !== null) parts.push(formatPercent(share));
  const rows = node.actual ? node.actual.rows * node.actual.loops : node.planRows;
  if (rows !== null && rows !== undefined) parts.push(`${formatCount(rows)} rows`);
  return parts.join(" · ");
}

function legend(timed: boolean, planWide: number): string {
  const keys: Array<[Severity | "none", string]> = [
    ["error", "error"],
    ["warning", "warning"],
    ["info", "info"],
    ["none", "no finding"],
  ];
  let x = PAD;
  const parts: string[] = [];
  for (const [key, text] of keys) {
    const c = COLOURS[key];
    parts.push(
      `<rect x="${x}" y="${PAD}" width="12" height="12" rx="2" fill="${c.fill}" stroke="${c.stroke}"/><text x="${x + 16}" y="${PAD + 10}" fill="#1d2430">${text}</text>`,
    );
    x += 22 + text.length * 6.5;
  }
  const size = timed ? "box size: own time" : "box size: own estimated cost (the plan was not run)";
  const wide = planWide ? ` · ${planWide} finding${planWide === 1 ? "" : "s"} about the whole statement` : "";
  parts.push(`<text x="${x + 8}" y="${PAD + 10}" fill="#687080">${escapeMarkup(size + wide)}</text>`);
  return `<g class="plan-legend">${parts.join("")}</g>`;
}

function edge(parent: Box, child: Box, rowBoxH: number): string {
  const px = round(parent.x + parent.w / 2);
  const py = round(parent.y + parent.h);
  const cx = round(child.x + child.w / 2);
  const mid = round(parent.y + rowBoxH + GAP_Y / 2);
  const dash = child.node.role === "child" ? "" : ` stroke-dasharray="4 3"`;
  return `<path d="M${px} ${py}V${mid}H${cx}V${round(child.y)}" stroke="#9aa3b2" stroke-width="1.2"${dash}/>`;
}

function drawBox(b: Box, mark: string | undefined): string {
  const c = COLOURS[b.severity];
  const x = round(b.x);
  const y = round(b.y);
  const w = round(b.w);
  const h = round(b.h);
  const head = `${b.node.subplanName ? `${b.node.subplanName}: ` : ""}${headOf(b.node)}`;
  const target = [b.node.relationName ?? b.node.alias, b.node.indexName].filter(Boolean).join(" · ");
  const lines = [
    `<text x="${x + 8}" y="${y + 16}" font-weight="600" font-size="12" fill="#1d2430">${escapeMarkup(fitText(head, w, 7))}</text>`,
  ];
  let line = y + 31;
  if (target) {
    lines.push(
      `<text x="${x + 8}" y="${line}" fill="#1d2430">${escapeMarkup(fitText(target, w, 5.9))}</text>`,
    );
    line += 14;
  }
  if (b.figures)
    lines.push(
      `<text x="${x + 8}" y="${line}" fill="#4b5563">${escapeMarkup(fitText(b.figures, w, 5.9))}</text>`,
    );
  const badge = b.findings.length
    ? `<circle cx="${x + w}" cy="${y}" r="9" fill="${c.stroke}"/><text x="${x + w}" y="${y + 4}" text-anchor="middle" font-size="11" font-weight="700" fill="#ffffff">${b.findings.length}</text>`
    : "";
  const tip = [nodeLabel(b.node), b.figures, ...b.findings.map((f) => `${f.severity}: ${f.title}`)]
    .filter(Boolean)
    .join("\n");
  const outline =
    mark === undefined
      ? ""
      : `<rect x="${x - 5}" y="${y - 5}" width="${w + 10}" height="${h + 10}" rx="8" fill="none" stroke="#a4330b" stroke-width="2.5" stroke-dasharray="6 3"/><text x="${x}" y="${y + h + 17}" fill="#a4330b" font-weight="600">${escapeMarkup(fitText(mark, w + 40, 6.3))}</text>`;
  return `<g class="plan-node" data-node="${b.node.id}" data-severity="${b.severity}"${b.share === null ? "" : ` data-share="${b.share.toFixed(4)}"`}${mark === undefined ? "" : ' data-marked="true"'}><title>${escapeMarkup(tip)}</title><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="5" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${b.severity === "none" ? 1 : 2}"/>${lines.join("")}${badge}${outline}</g>`;
}

/** The node's kind as EXPLAIN names it, with what changes its meaning (parallel, join type, aggregate strategy). */
function headOf(node: PlanNode): string {
  const label = nodeLabel(node);
  const cut = label.search(/ (using|on) /);
  const head = cut > 0 ? label.slice(0, cut) : label;
  const join = node.details["Join Type"];
  return join && join !== "Inner" ? `${head} (${join})` : head;
}

/** Cut text to what fits in a box of `width` at about `charWidth` pixels a character. */
function fitText(text: string, width: number, charWidth: number): string {
  const room = Math.max(4, Math.floor((width - 14) / charWidth));
  return text.length > room ? `${text.slice(0, room - 1)}…` : text;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
