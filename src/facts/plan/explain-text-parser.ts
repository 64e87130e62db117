import { InputError } from "../../util/input-error.js";
import { splitTopLevel } from "../../util/split-top-level.js";
import { readActualsText, readNodeHead, readNodeLine, readPropLine } from "./explain-text-line.js";
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

interface NodeFrame {
  kind: "node";
  indent: number;
  node: PlanNode;
  rawProps: Array<[string, PropValue]>;
}
interface HeaderFrame {
  kind: "header";
  indent: number;
  role: NodeRole;
  name: string;
  owner: NodeFrame;
}
interface WorkerFrame {
  kind: "worker";
  indent: number;
  worker: WorkerActuals;
}
type Frame = NodeFrame | HeaderFrame | WorkerFrame;

const HEADER = /^(?:(InitPlan|SubPlan) \d+(?: \(returns .*\))?|CTE (?:"(?:[^"]|"")*"|\S+))$/;
const WORKER = /^Worker (\d+):\s*(.*)$/;
// "Trigger for constraint fk on orders: time=0.4 calls=20", "Trigger audit: time=1.2 calls=3" (the name is
// left out for constraint triggers unless VERBOSE; the relation is shown when several are involved).
const TRIGGER =
  /^Trigger(?: (?!for constraint )(?<name>.+?))?(?: for constraint (?<constraint>.+?))?(?: on (?<relation>.+?))?: (?:time=(?<time>[\d.]+) )?calls=(?<calls>\d+)$/;
const PROP_START = /^(?:[A-Z][\w/\-. ()]*?:(?:\s|$)|Worker \d+:)/;

/** Parse EXPLAIN text output (already freed of psql frames) into the plan model. */
export function parseExplainText(input: string): Plan {
  const lines = joinWrappedLines(input.split("\n"));
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
  };
  const frames: Frame[] = [];
  const nodeFrames: NodeFrame[] = [];
  let rootIndent = -1;
  let section: { name: string; indent: number } | null = null;

  lines.forEach(({ text, lineNo }) => {
    const indent = text.length - text.trimStart().length;
    const content = text.trim();
    if (!content) return;

    if (rootIndent < 0) {
      if (/^Query Text:/.test(content)) return; // auto_explain prints the statement first
      const frame = newNode(content.replace(/^->\s*/, ""), lineNo, "child", null);
      rootIndent = indent;
      plan.root = frame.node;
      frame.indent = indent + 2;
      frames.push(frame);
      nodeFrames.push(frame);
      return;
    }

    if (indent <= rootIndent) {
      frames.length = 0;
      section = readSummaryLine(content, plan);
      if (section) section.indent = indent;
      return;
    }
    if (section && frames.length === 0) {
      readSectionLine(section.name, content, plan);
      return;
    }

    while (frames.length > 1 && (frames.at(-1)?.indent ?? 0) > indent) frames.pop();
    let top = frames.at(-1);
    if (!top) return;

    if (content.startsWith("->")) {
      while (top.kind === "worker" && frames.length > 1) {
        frames.pop();
        top = frames.at(-1) as Frame;
      }
      const owner = top.kind === "header" ? top.owner : top.kind === "node" ? top : nodeFrames[0];
      if (!owner) return;
      const role = top.kind === "header" ? top.role : "child";
      const name = top.kind === "header" ? top.name : null;
      const arrow = /^->\s*/.exec(content)?.[0].length ?? 2;
      const frame = newNode(content.slice(arrow), lineNo, role, name);
      frame.indent = indent + arrow + 2;
      owner.node.children.push(frame.node);
      frames.push(frame);
      nodeFrames.push(frame);
      return;
    }

    const nodeFrame = top.kind === "node" ? top : top.kind === "header" ? top.owner : null;
    const header = HEADER.exec(content);
    if (header && nodeFrame) {
      frames.push({
        kind: "header",
        indent: indent + 2,
        role: header[1] === "SubPlan" ? "subplan" : "initplan",
        name: content,
        owner: nodeFrame,
      });
      return;
    }

    const worker = WORKER.exec(content);
    if (worker && nodeFrame) {
      const w: WorkerActuals = {
        worker: Number(worker[1]),
        actual: null,
        buffers: null,
        ioTimings: null,
        props: {},
      };
      nodeFrame.node.workers.push(w);
      frames.push({ kind: "worker", indent: indent + 2, worker: w });
      const inline = worker[2] ?? "";
      if (inline.startsWith("actual")) w.actual = readActualsText(inline);
      else if (inline) applyWorkerProp(w, inline);
      return;
    }

    if (top.kind === "worker") applyWorkerProp(top.worker, content);
    else if (nodeFrame) applyNodeProp(nodeFrame, content);
  });

  if (!plan.root) {
    throw new InputError(
      "no plan found in the input",
      "pass the output of EXPLAIN, EXPLAIN ANALYZE or auto_explain",
    );
  }
  for (const frame of nodeFrames) finishNode(frame);
  numberNodes(plan.root);
  plan.analyzed = plan.root.actual !== undefined || plan.executionMs !== null;
  return plan;
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
  return { kind: "node", indent: 0, node, rawProps: [] };
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
  [/^Planning Time: ([\d.]+) ms$/, (plan, m) => (plan.planningMs = Number(m[1]))],
  [/^(?:Execution Time|Total runtime): ([\d.]+) ms$/, (plan, m) => (plan.executionMs = Number(m[1]))],
  [TRIGGER, (plan, m) => plan.triggers.push(readTrigger(m.groups ?? {}))],
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
      };
    },
  ],
];

/** Read a line at the plan's outer level. Returns the section it opens ("Planning:", "JIT:"), if any. */
function readSummaryLine(content: string, plan: Plan): { name: string; indent: number } | null {
  if (content === "Planning:" || content === "JIT:") {
    if (content === "JIT:") plan.jit = { functions: 0, options: {}, timingMs: null };
    return { name: content.slice(0, -1), indent: 0 };
  }
  for (const [re, apply] of SUMMARY_READERS) {
    const m = re.exec(content);
    if (m) {
      apply(plan, m);
      break;
    }
  }
  return null;
}

function readSectionLine(section: string, content: string, plan: Plan): void {
  if (section === "Planning") {
    const line = readPropLine(content);
    if (line.kind === "buffers") plan.planningBuffers = isAllZero(line.buffers) ? null : line.buffers;
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

interface NumberedLine {
  text: string;
  lineNo: number;
}

/**
 * Lines a terminal or mail client broke in two are joined back: a line that is neither a node, a subplan header,
 * a worker nor a "Key: value" property continues the line before it.
 */
function joinWrappedLines(raw: string[]): NumberedLine[] {
  const out: NumberedLine[] = [];
  raw.forEach((line, index) => {
    const content = line.trim();
    const previous = out.at(-1);
    const isNew =
      !previous ||
      !content ||
      content.startsWith("->") ||
      /\s\((?:cost=|actual |never executed\))/.test(content) ||
      HEADER.test(content) ||
      PROP_START.test(content) ||
      TRIGGER.test(content) ||
      /^(Planning|Execution) Time:/.test(content);
    if (isNew) out.push({ text: line.trimEnd(), lineNo: index + 1 });
    else if (previous) previous.text += /^\s/.test(line) ? ` ${content}` : content;
  });
  return out;
}
