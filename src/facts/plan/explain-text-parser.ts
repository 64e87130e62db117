import { InputError } from "../../util/input-error.js";
import { splitTopLevel } from "../../util/split-top-level.js";
import { printable } from "../logs/printable-text.js";
import {
  PROP_START,
  readActualsText,
  readNodeHead,
  readNodeLine,
  readPropLine,
  SUBPLAN_HEADER,
  TARGET_LINE,
  TRIGGER_LINE,
  WORKER_LINE,
} from "./explain-text-line.js";
import { type InputLine, splitInputLines } from "./pasted-lines.js";
import {
  type JitInfo,
  type NodeRole,
  numberNodes,
  type Plan,
  type PlanNode,
  type PropValue,
  type Trigger,
  type WorkerActuals,
} from "./plan-model.js";
import { isAllZero, normaliseProps } from "./plan-props.js";
import { segmentPlans } from "./plan-segments.js";

/** Each open level of the tree, with the column its line starts at: a later line at or left of it closes it. */
interface NodeFrame {
  kind: "node";
  col: number;
  node: PlanNode;
  rawProps: Array<[string, PropValue]>;
  /** Partitions a ModifyTable writes to, from its "Update on t_p1 t_1" lines. */
  targets?: string[];
}
interface HeaderFrame {
  kind: "header";
  col: number;
  role: NodeRole;
  name: string;
  owner: NodeFrame;
}
interface WorkerFrame {
  kind: "worker";
  col: number;
  worker: WorkerActuals;
}
type Frame = NodeFrame | HeaderFrame | WorkerFrame;

/**
 * Parse EXPLAIN text output (already freed of psql frames) into the plan model: its first plan. `parsePlan`
 * reads pasted output of any kind and tells about other plans and skipped lines.
 */
export function parseExplainText(input: string): Plan {
  const { segments, notes, firstContent } = segmentPlans(splitInputLines(input));
  const first = segments.find((s) => s.kind === "text");
  if (first?.kind !== "text") throw noPlanError(firstContent);
  const plan = buildTextPlan(first.lines);
  plan.notes = [...notes, ...(plan.notes ?? [])];
  return plan;
}

export function noPlanError(firstContent: InputLine | null): InputError {
  const what = firstContent
    ? `no plan found in the input (line ${firstContent.lineNo} reads "${printable(firstContent.text, 60)}")`
    : "no plan found in the input";
  return new InputError(what, "pass the output of EXPLAIN, EXPLAIN ANALYZE or auto_explain");
}

/**
 * Build one plan from its lines (the first is the root), in one pass with an explicit stack of open levels:
 * the depth of the tree costs no call stack, and each line is looked at once. The tree is rebuilt from the
 * columns the lines start at, relative to each other, so psql's six-space steps, one-space or tab indents all
 * read the same.
 */
export function buildTextPlan(lines: InputLine[]): Plan {
  const plan: Plan = {
    root: undefined as unknown as PlanNode,
    planningMs: null,
    planningBuffers: null,
    executionMs: null,
    serialization: null,
    triggers: [],
    jit: null,
    settings: {},
    queryIdentifier: null,
    analyzed: false,
    notes: [],
  };
  const rootLine = lines[0];
  if (!rootLine) throw noPlanError(null);
  const rootCol = rootLine.indent;
  const rootContent = rootLine.text;
  const rootFrame = newNode(rootContent.replace(/^->\s*/, ""), rootLine.lineNo, "child", null);
  rootFrame.col = rootCol;
  plan.root = rootFrame.node;
  const frames: Frame[] = [rootFrame];
  const nodeFrames: NodeFrame[] = [rootFrame];
  const unreadable: InputLine[] = [];
  let inSummary = false;
  let section: string | null = null;
  // Where the root's own lines start: a line left of it (but right of the root) is a summary line too.
  let treeCol: number | null = null;

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as InputLine;
    const content = line.text;
    if (!content) continue;
    const col = line.indent;

    treeCol ??= col;
    // A "->" line is never a summary line, even left of the root's own lines (the root pasted at its child's column).
    const belowTree = col < treeCol && !content.startsWith("->");
    if (col <= rootCol || belowTree || (!inSummary && SUMMARY_ONLY.test(content))) {
      inSummary = true;
      section = readSummaryLine(content, plan);
      continue;
    }
    if (inSummary) {
      if (section) readSectionLine(section, content, plan);
      else unreadable.push(line);
      continue;
    }

    while (frames.length > 1 && (frames[frames.length - 1] as Frame).col >= col) frames.pop();
    let top = frames[frames.length - 1] as Frame;

    if (content.startsWith("->")) {
      while (top.kind === "worker" && frames.length > 1) {
        frames.pop();
        top = frames[frames.length - 1] as Frame;
      }
      const owner = top.kind === "header" ? top.owner : top.kind === "node" ? top : rootFrame;
      const role = top.kind === "header" ? top.role : "child";
      const name = top.kind === "header" ? top.name : null;
      const arrow = /^->\s*/.exec(content)?.[0].length ?? 2;
      const frame = newNode(content.slice(arrow), line.lineNo, role, name);
      frame.col = col;
      owner.node.children.push(frame.node);
      frames.push(frame);
      nodeFrames.push(frame);
      continue;
    }

    const nodeFrame = top.kind === "node" ? top : top.kind === "header" ? top.owner : null;
    if (SUBPLAN_HEADER.test(content) && nodeFrame) {
      frames.push({
        kind: "header",
        col,
        role: content.startsWith("SubPlan") ? "subplan" : "initplan",
        name: content,
        owner: nodeFrame,
      });
      continue;
    }

    const worker = WORKER_LINE.exec(content);
    if (worker && nodeFrame) {
      const w: WorkerActuals = {
        worker: Number(worker[1]),
        actual: null,
        buffers: null,
        ioTimings: null,
        props: {},
      };
      nodeFrame.node.workers.push(w);
      frames.push({ kind: "worker", col, worker: w });
      const inline = worker[2] ?? "";
      if (inline.startsWith("actual")) w.actual = readActualsText(inline);
      else if (inline) applyWorkerProp(w, inline);
      continue;
    }

    const target = TARGET_LINE.exec(content);
    if (target && top.kind === "node" && top.node.nodeType === "ModifyTable") {
      // "Update on t_p1 t_1": a partition the ModifyTable writes to, not a node and not its cost.
      if (!top.targets) {
        top.targets = [];
        top.rawProps.push(["Target Tables", top.targets]);
      }
      top.targets.push(readTargetName(target[1] ?? ""));
      continue;
    }

    if (!PROP_START.test(content)) {
      unreadable.push(line);
      continue;
    }
    if (top.kind === "worker") applyWorkerProp(top.worker, content);
    else if (nodeFrame) applyNodeProp(nodeFrame, content);
  }

  for (const frame of nodeFrames) finishNode(frame);
  numberNodes(plan.root);
  plan.analyzed = plan.root.actual !== undefined || plan.executionMs !== null;
  if (unreadable.length > 0) plan.notes?.push(describeUnreadable(unreadable));
  return plan;
}

/** Lines only the summary has, wherever a paste tool put them. */
const SUMMARY_ONLY = /^(?:(?:Planning|Execution) time: [\d.]+ ms|Total runtime: [\d.]+ ms)$/i;

function describeUnreadable(lines: InputLine[]): string {
  const first = lines[0] as InputLine;
  const sample = first.text.slice(0, 60);
  return lines.length === 1
    ? `line ${first.lineNo} of the plan is not a line EXPLAIN prints, skipped: "${sample}"`
    : `${lines.length.toLocaleString("en-US")} lines of the plan are not lines EXPLAIN prints, skipped; the first, line ${first.lineNo}: "${sample}"`;
}

/** "sales.events_2025 e_1" → "events_2025" (the relation's name, as EXPLAIN JSON's "Target Tables" gives it). */
function readTargetName(text: string): string {
  const head = readNodeHead(`Seq Scan on ${text}`);
  return head.relationName ?? text;
}

function newNode(text: string, lineNo: number, role: NodeRole, subplanName: string | null): NodeFrame {
  const line = readNodeLine(text);
  if (!line) {
    throw new InputError(
      `line ${lineNo}: cannot read this plan node, the plan may be truncated: ${text.slice(0, 80)}`,
      "paste the complete EXPLAIN output, every line of it",
    );
  }
  const head = readNodeHead(line.head);
  if (!head.known && !line.cost && line.actual === undefined) {
    throw new InputError(
      `line ${lineNo}: this is not a plan node: ${text.slice(0, 80)}`,
      "pass the output of EXPLAIN, EXPLAIN ANALYZE or auto_explain",
    );
  }
  const node: PlanNode = {
    id: 0,
    nodeType: head.nodeType,
    role,
    subplanName,
    parallelAware: head.parallelAware,
    asyncCapable: head.asyncCapable,
    details: head.details,
    relationName: head.relationName,
    schema: head.schema,
    alias: head.alias,
    indexName: head.indexName,
    cost: line.cost,
    planRows: line.planRows,
    planWidth: line.planWidth,
    actual: line.actual,
    buffers: null,
    ioTimings: null,
    workers: [],
    props: {},
    children: [],
  };
  return { kind: "node", col: 0, node, rawProps: [] };
}

function applyNodeProp(frame: NodeFrame, content: string): void {
  const line = readPropLine(content);
  if (line.kind === "buffers") frame.node.buffers = isAllZero(line.buffers) ? null : line.buffers;
  else if (line.kind === "io") frame.node.ioTimings = isAllZero(line.io) ? null : line.io;
  else frame.rawProps.push(...line.entries);
}

function applyWorkerProp(worker: WorkerActuals, content: string): void {
  const line = readPropLine(content);
  if (line.kind === "buffers") worker.buffers = isAllZero(line.buffers) ? null : line.buffers;
  else if (line.kind === "io") worker.ioTimings = isAllZero(line.io) ? null : line.io;
  else for (const [key, value] of line.entries) worker.props[key] = value;
}

const GROUPING_KEYS = new Set(["Sort Key", "Group Key", "Hash Key"]);

function finishNode(frame: NodeFrame): void {
  const { node, rawProps } = frame;
  const groupKeys = rawProps.filter(([key]) => key === "Group Key" || key === "Hash Key");
  const groupingSets =
    node.nodeType === "Aggregate" &&
    (groupKeys.length > 1 ||
      groupKeys.some(([key, v]) => key === "Hash Key" || (Array.isArray(v) && v[0] === "()")));
  if (groupingSets) {
    node.props["Grouping Sets"] = rawProps
      .filter(([key]) => GROUPING_KEYS.has(key))
      .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`);
  }
  for (const [key, value] of rawProps) {
    if (groupingSets && GROUPING_KEYS.has(key)) continue;
    node.props[key] = value;
  }
  normaliseProps(node.props);
  for (const w of node.workers) normaliseProps(w.props);
}

type SummaryReader = [RegExp, (plan: Plan, m: RegExpExecArray) => void];

/** Lines at the plan's outer level: timings, triggers, settings, query id, serialization. */
const SUMMARY_READERS: SummaryReader[] = [
  [/^Planning Time: ([\d.]+) ms$/i, (plan, m) => (plan.planningMs = Number(m[1]))],
  [/^(?:Execution Time|Total runtime): ([\d.]+) ms$/i, (plan, m) => (plan.executionMs = Number(m[1]))],
  [TRIGGER_LINE, (plan, m) => plan.triggers.push(readTrigger(m.groups ?? {}))],
  [
    /^Settings: (.*)$/,
    (plan, m) => {
      for (const item of splitTopLevel(m[1] ?? "")) {
        const eq = /^(\S+) = '(.*)'$/.exec(item);
        if (eq) plan.settings[eq[1] ?? ""] = (eq[2] ?? "").replace(/''/g, "'");
      }
    },
  ],
  [/^Query Identifier: (-?\d+)$/, (plan, m) => (plan.queryIdentifier = m[1] ?? null)],
  [
    /^Serialization:(?: time=([\d.]+) ms)?\s+output=(\d+)kB\s+format=(\w+)$/,
    (plan, m) => {
      plan.serialization = {
        timeMs: m[1] === undefined ? null : Number(m[1]),
        outputKB: Number(m[2]),
        format: m[3] ?? "",
        buffers: null,
      };
    },
  ],
];

/** Read a line at the plan's outer level. Returns the section it opens ("Planning", "JIT"), if any. */
function readSummaryLine(content: string, plan: Plan): string | null {
  if (content === "Planning:" || content === "JIT:") {
    if (content === "JIT:") plan.jit = { functions: 0, options: {}, timingMs: null };
    return content.slice(0, -1);
  }
  for (const [re, apply] of SUMMARY_READERS) {
    const m = re.exec(content);
    if (m) {
      apply(plan, m);
      break;
    }
  }
  // PostgreSQL 17 prints the serialization's buffers on the next line, indented under it.
  return content.startsWith("Serialization:") && plan.serialization ? "Serialization" : null;
}

function readSectionLine(section: string, content: string, plan: Plan): void {
  if (section === "Planning" || section === "Serialization") {
    const line = readPropLine(content);
    if (line.kind !== "buffers") return;
    const buffers = isAllZero(line.buffers) ? null : line.buffers;
    if (section === "Planning") plan.planningBuffers = buffers;
    else if (plan.serialization) plan.serialization.buffers = buffers;
    return;
  }
  const jit = plan.jit as JitInfo;
  const [key, value = ""] = [
    content.slice(0, content.indexOf(":")),
    content.slice(content.indexOf(":") + 1).trim(),
  ];
  if (key === "Functions") jit.functions = Number(value);
  else if (key === "Options") {
    for (const option of value.split(", ")) {
      const [name, flag] = option.split(" ");
      if (name) jit.options[name] = flag === "true";
    }
  } else if (key === "Timing") {
    jit.timingMs = {};
    for (const part of value.matchAll(/(\w+) ([\d.]+) ms(?: \((\w+) ([\d.]+) ms\))?/g)) {
      jit.timingMs[part[1] ?? ""] = Number(part[2]);
      if (part[3]) jit.timingMs[`${part[1]} ${part[3]}`] = Number(part[4]);
    }
  }
}

function readTrigger(g: Record<string, string | undefined>): Trigger {
  return {
    name: g.name ?? "",
    constraintName: g.constraint ?? null,
    relation: g.relation ?? null,
    timeMs: g.time === undefined ? null : Number(g.time),
    calls: Number(g.calls),
  };
}
