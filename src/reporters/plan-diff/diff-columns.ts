/**
 * The figures each renderer of a plan comparison shows for a node, as before → after pairs with their change,
 * chosen once so the terminal, Markdown and JSON outputs say the same thing.
 */
import type { DiffEntry, NodeFigures } from "../../facts/plan/plan-diff.js";
import { formatBytes, formatCount, formatMs } from "../../util/format.js";

export interface FigureChange {
  /** "time", "rows", "est. rows", "loops", "cost", "shared hit", "shared read", "temp". */
  name: string;
  before: number | null;
  after: number | null;
  /** after - before, when both are known. */
  delta: number | null;
  /** "0.105 ms → 43.2 ms (+43.1 ms)". */
  text: string;
  /** Whether a larger value is worse (time, reads, temp), so a renderer can colour the change. */
  higherIsWorse: boolean;
}

const BLOCK = 8192;

type Pick = (f: NodeFigures) => number | null;

const COLUMNS: Array<{ name: string; pick: Pick; show: (v: number) => string; worse: boolean }> = [
  { name: "time", pick: (f) => f.exclusiveMs, show: formatMs, worse: true },
  { name: "cost", pick: (f) => f.exclusiveCost, show: (v) => formatCount(v), worse: true },
  { name: "rows", pick: (f) => f.actualRows, show: (v) => formatCount(v), worse: false },
  { name: "est. rows", pick: (f) => f.planRows, show: (v) => formatCount(v), worse: false },
  { name: "loops", pick: (f) => f.loops, show: (v) => formatCount(v), worse: false },
  { name: "removed by filter", pick: (f) => f.rowsRemovedByFilter, show: (v) => formatCount(v), worse: true },
  { name: "shared hit", pick: (f) => f.sharedHit, show: blocks, worse: true },
  { name: "shared read", pick: (f) => f.sharedRead, show: blocks, worse: true },
  {
    name: "temp",
    pick: (f) =>
      f.tempRead === null && f.tempWritten === null ? null : (f.tempRead ?? 0) + (f.tempWritten ?? 0),
    show: blocks,
    worse: true,
  },
];

function blocks(n: number): string {
  return `${formatCount(n)} (${formatBytes(n * BLOCK)})`;
}

/**
 * The figures worth showing for an entry: time (or cost when time is not known on both sides), rows, and the
 * others only when they are known and not zero on a side. `measure` says whether the comparison is in time.
 */
export function entryFigures(entry: DiffEntry, measure: "time" | "cost"): FigureChange[] {
  const out: FigureChange[] = [];
  for (const column of COLUMNS) {
    if (
      column.name === "time" &&
      measure !== "time" &&
      !(entry.before?.exclusiveMs ?? entry.after?.exclusiveMs)
    )
      continue;
    if (column.name === "cost" && measure === "time") continue;
    const before = entry.before ? column.pick(entry.before) : null;
    const after = entry.after ? column.pick(entry.after) : null;
    if (before === null && after === null) continue;
    const optional = !["time", "cost", "rows", "est. rows"].includes(column.name);
    if (optional && !before && !after) continue;
    if (column.name === "loops" && before === after) continue;
    const delta = before !== null && after !== null ? after - before : null;
    const side = (v: number | null) => (v === null ? "-" : column.show(v));
    const text =
      entry.status === "added"
        ? side(after)
        : entry.status === "removed"
          ? side(before)
          : before === after
            ? side(after)
            : `${side(before)} → ${side(after)}${delta !== null && column.name === "time" ? ` (${delta >= 0 ? "+" : "-"}${formatMs(Math.abs(delta))})` : ""}`;
    out.push({ name: column.name, before, after, delta, text, higherIsWorse: column.worse });
  }
  return out;
}

/** "+", "-", "~" or " " for an entry's status. */
export function statusMark(entry: DiffEntry): string {
  return { same: " ", changed: "~", added: "+", removed: "-" }[entry.status];
}

/** The node as a line: "Nested Loop → Hash Join", "Hash (added)". */
export function entryTitle(entry: DiffEntry): string {
  const b = entry.before?.label;
  const a = entry.after?.label;
  if (entry.status === "added") return `${a} (added)`;
  if (entry.status === "removed") return `${b} (removed)`;
  return b === a ? (a ?? "") : `${b} → ${a}`;
}

/** Deeper merged trees are drawn at this indentation, with the depth written out. */
export const MAX_INDENT_DEPTH = 30;
