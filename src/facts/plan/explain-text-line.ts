/**
 * Readers for single lines of EXPLAIN text output: the node line with its estimates and actuals, the node name
 * with its target, and the compound property lines ("Sort Method: quicksort  Memory: 25kB").
 */
import { splitTopLevel } from "../../util/split-top-level.js";
import {
  type Buffers,
  emptyBuffers,
  emptyIoTimings,
  type IoTimings,
  type NodeActuals,
  type PlanNode,
  type PropValue,
} from "./plan-model.js";
import { LIST_PROPS } from "./plan-props.js";

/**
 * "InitPlan" (before 9.0), "InitPlan 1 (returns $0)" (9.0-16), "InitPlan 1" (17-18), "InitPlan expr_1" /
 * "SubPlan exists_1" (19+), "CTE name" (any version).
 */
export const SUBPLAN_HEADER =
  /^(?:(InitPlan|SubPlan)(?: (?:\d+|[a-z]+_\d+))?(?: \(returns .*\))?|CTE (?:"(?:[^"]|"")*"|\S+))$/;
export const WORKER_LINE = /^Worker (\d+):\s*(.*)$/;
// "Trigger for constraint fk on orders: time=0.4 calls=20", "Trigger audit: time=1.2 calls=3" (the name is
// left out for constraint triggers unless VERBOSE; the relation is shown when several are involved).
export const TRIGGER_LINE =
  /^Trigger(?: (?!for constraint )(?<name>.+?))?(?: for constraint (?<constraint>.+?))?(?: on (?<relation>.+?))?: (?:time=(?<time>[\d.]+) )?calls=(?<calls>\d+)$/;
/** "Key: value" or "Key:" (a section), as property lines start. */
export const PROP_START = /^(?:[A-Z][\w/\-. ()]*?:(?:\s|$)|Worker \d+:)/;
/** A partition a ModifyTable writes to, listed under it: "Update on t_p1 t_1", "Foreign Insert on remote_p2". */
export const TARGET_LINE = /^(?:Foreign )?(?:Insert|Update|Delete|Merge) on (.+)$/;
/**
 * Lines at the plan's outer level: timings (any case: servers before 13 print "Execution time", before 9.4
 * "Total runtime"), triggers, settings, query id, serialization and the Planning/JIT sections.
 */
export const SUMMARY_LINE =
  /^(?:(?:Planning|Execution) time: |Total runtime: |Trigger |Settings: |Query Identifier: |Serialization: |(?:Planning|JIT):$)/i;

/** Whether a line (trimmed) can be a plan node on its own: a known node name, or one with estimates/actuals. */
export function isNodeLine(content: string): boolean {
  if (content.length === 0) return false;
  const line = readNodeLine(content.startsWith("->") ? content.replace(/^->\s*/, "") : content);
  if (!line) return false;
  return line.cost !== null || line.actual !== undefined || readNodeHead(line.head).known;
}

export interface NodeLine {
  head: string;
  cost: { startup: number; total: number } | null;
  planRows: number | null;
  planWidth: number | null;
  actual: NodeActuals | null | undefined;
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
const NODE_LINE = new RegExp(
  String.raw`^(?<head>.*?)(?:\s+\(cost=(?<sc>${NUM})\.\.(?<tc>${NUM}) rows=(?<pr>${NUM}) width=(?<pw>\d+)\))?` +
    String.raw`(?:\s+\((?:actual(?: time=(?<as>${NUM})\.\.(?<at>${NUM}))? rows=(?<ar>${NUM}) loops=(?<al>\d+)|(?<never>never executed))\))?\s*$`,
);
const ACTUALS = new RegExp(
  String.raw`^actual(?: time=(?<as>${NUM})\.\.(?<at>${NUM}))? rows=(?<ar>${NUM}) loops=(?<al>\d+)$`,
);

export function readNodeLine(text: string): NodeLine | null {
  const m = NODE_LINE.exec(text);
  const g = m?.groups;
  if (!g?.head) return null;
  // A node line that was cut short ("(cost=0.00..8") leaves an unbalanced parenthesis in the head.
  if (/\((?:cost|actual)=?[^)]*$/.test(g.head)) return null;
  let actual: NodeActuals | null | undefined;
  if (g.never) actual = null;
  else if (g.al !== undefined) actual = actualsFrom(g);
  return {
    head: g.head.trim(),
    cost: g.tc === undefined ? null : { startup: Number(g.sc), total: Number(g.tc) },
    planRows: g.pr === undefined ? null : Number(g.pr),
    planWidth: g.pw === undefined ? null : Number(g.pw),
    actual,
  };
}

export function readActualsText(text: string): NodeActuals | null {
  const g = ACTUALS.exec(text.trim())?.groups;
  return g ? actualsFrom(g) : null;
}

function actualsFrom(g: Record<string, string | undefined>): NodeActuals {
  return {
    startupMs: g.as === undefined ? null : Number(g.as),
    totalMs: g.at === undefined ? null : Number(g.at),
    rows: Number(g.ar),
    loops: Number(g.al),
  };
}

/** What a node's name line says about it: "Parallel Index Scan Backward using idx on public.orders o". */
export type NodeHead = Pick<
  PlanNode,
  | "nodeType"
  | "parallelAware"
  | "asyncCapable"
  | "details"
  | "relationName"
  | "schema"
  | "alias"
  | "indexName"
> & {
  /** False when the name matched no node type dbopt knows (a newer version's, or not a plan at all). */
  known: boolean;
};

const SIMPLE_NODES = new Set([
  "Nested Loop",
  "Result",
  "ProjectSet",
  "Append",
  "Merge Append",
  "Recursive Union",
  "BitmapAnd",
  "BitmapOr",
  "Gather",
  "Gather Merge",
  "Materialize",
  "Memoize",
  "Sort",
  "Incremental Sort",
  "Group",
  "WindowAgg",
  "Unique",
  "LockRows",
  "Limit",
  "Hash",
]);
const SCAN_NODES =
  /^(Seq Scan|Sample Scan|Bitmap Heap Scan|Tid Range Scan|Tid Scan|Subquery Scan|Function Scan|Table Function Scan|Values Scan|CTE Scan|Named Tuplestore Scan|WorkTable Scan|Foreign Scan)(?: on (.+))?$/;
const JOIN = /^(Nested Loop|Hash|Merge)(?: (Left|Full|Right Semi|Right Anti|Right|Semi|Anti))? Join$/;
const AGGREGATE = /^(Partial |Finalize )?(Aggregate|GroupAggregate|HashAggregate|MixedAggregate)$/;
const AGG_STRATEGY: Record<string, string> = {
  Aggregate: "Plain",
  GroupAggregate: "Sorted",
  HashAggregate: "Hashed",
  MixedAggregate: "Mixed",
};
const SETOP = /^(SetOp|HashSetOp) (Intersect All|Intersect|Except All|Except)$/;
const INDEX_SCAN = /^(Index Scan|Index Only Scan)( Backward)? using ((?:"(?:[^"]|"")*"|[^\s"])+) on (.+)$/;

type HeadReader = [RegExp, (head: NodeHead, m: RegExpExecArray) => void];

/** Node names that carry more than the node type, tried in order. */
const HEAD_READERS: HeadReader[] = [
  [
    JOIN,
    (head, m) => {
      head.nodeType = m[1] === "Nested Loop" ? "Nested Loop" : `${m[1]} Join`;
      head.details["Join Type"] = m[2] ?? "Inner";
    },
  ],
  [
    AGGREGATE,
    (head, m) => {
      head.nodeType = "Aggregate";
      head.details.Strategy = AGG_STRATEGY[m[2] ?? ""] ?? "Plain";
      if (m[1]) head.details["Partial Mode"] = m[1].trim();
    },
  ],
  [
    SETOP,
    (head, m) => {
      head.nodeType = "SetOp";
      head.details.Strategy = m[1] === "HashSetOp" ? "Hashed" : "Sorted";
      head.details.Command = m[2] ?? "";
    },
  ],
  [
    INDEX_SCAN,
    (head, m) => {
      head.nodeType = m[1] ?? "Index Scan";
      if (m[2]) head.details["Scan Direction"] = "Backward";
      head.indexName = unquote(m[3] ?? "");
      setTarget(head, m[4] ?? "");
    },
  ],
  [
    /^Bitmap Index Scan on (.+)$/,
    (head, m) => {
      head.nodeType = "Bitmap Index Scan";
      head.indexName = unquote(m[1] ?? "");
    },
  ],
  [
    /^(Insert|Update|Delete|Merge) on (.+)$/,
    (head, m) => {
      head.nodeType = "ModifyTable";
      head.details.Operation = m[1] ?? "";
      setTarget(head, m[2] ?? "");
    },
  ],
  [
    /^Foreign (Insert|Update|Delete) on (.+)$/,
    (head, m) => {
      head.nodeType = "Foreign Scan";
      head.details.Operation = m[1] ?? "";
      setTarget(head, m[2] ?? "");
    },
  ],
  [
    /^Custom Scan \(([^)]*)\)(?: on (.+))?$/,
    (head, m) => {
      head.nodeType = "Custom Scan";
      head.details["Custom Plan Provider"] = m[1] ?? "";
      if (m[2]) setTarget(head, m[2]);
    },
  ],
  [
    SCAN_NODES,
    (head, m) => {
      head.nodeType = m[1] ?? "";
      if (m[2]) setTarget(head, m[2]);
    },
  ],
];

/** "Parallel Index Scan Backward using idx on public.orders o" → node type, flags, details and names. */
export function readNodeHead(text: string): NodeHead {
  let rest = text;
  const head: NodeHead = {
    nodeType: "",
    known: true,
    parallelAware: false,
    asyncCapable: false,
    details: {},
    relationName: null,
    schema: null,
    alias: null,
    indexName: null,
  };
  if (rest.startsWith("Parallel ")) {
    head.parallelAware = true;
    rest = rest.slice(9);
  }
  if (rest.startsWith("Async ")) {
    head.asyncCapable = true;
    rest = rest.slice(6);
  }
  if (SIMPLE_NODES.has(rest)) {
    head.nodeType = rest;
    if (rest === "Nested Loop") head.details["Join Type"] = "Inner";
    return head;
  }
  for (const [re, apply] of HEAD_READERS) {
    const m = re.exec(rest);
    if (m) {
      apply(head, m);
      return head;
    }
  }
  head.nodeType = rest; // a node type this version of dbopt does not know: keep its name as printed
  head.known = false;
  return head;
}

/** Scans whose " on x" names only the alias (EXPLAIN has no object name for them). */
const ALIAS_ONLY = new Set(["Subquery Scan", "Values Scan"]);

function setTarget(head: NodeHead, text: string): void {
  const words = readIdentifiers(text);
  const [first, second] = words;
  if (!first) return;
  if (ALIAS_ONLY.has(head.nodeType)) {
    head.alias = first.at(-1) ?? null;
    return;
  }
  head.relationName = first.at(-1) ?? null;
  head.schema = first.length > 1 ? (first[0] ?? null) : null;
  head.alias = second?.[0] ?? head.relationName;
}

/** "public.orders o" → [["public","orders"],["o"]]; double quotes are removed. */
function readIdentifiers(text: string): string[][] {
  const out: string[][] = [];
  const re = /("(?:[^"]|"")*"|[^\s."]+)(\.)?/g;
  let current: string[] = [];
  for (const m of text.matchAll(re)) {
    current.push(unquote(m[1] ?? ""));
    if (!m[2]) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

export type PropLine =
  | { kind: "props"; entries: Array<[string, PropValue]> }
  | { kind: "buffers"; buffers: Buffers }
  | { kind: "io"; io: IoTimings };

const KB = String.raw`(\d+)kB`;
const COMPOUND: Array<[RegExp, (m: RegExpExecArray) => Array<[string, PropValue]>]> = [
  [
    new RegExp(String.raw`^Sort Method: (.+?)\s+(Memory|Disk): ${KB}$`),
    (m) => [
      ["Sort Method", m[1] ?? ""],
      ["Sort Space Used", Number(m[3])],
      ["Sort Space Type", m[2] ?? ""],
    ],
  ],
  [
    new RegExp(
      String.raw`^Buckets: (\d+)(?: \(originally (\d+)\))?\s+Batches: (\d+)(?: \(originally (\d+)\))?\s+Memory Usage: ${KB}$`,
    ),
    (m) => [
      ["Hash Buckets", Number(m[1])],
      ["Original Hash Buckets", Number(m[2] ?? m[1])],
      ["Hash Batches", Number(m[3])],
      ["Original Hash Batches", Number(m[4] ?? m[3])],
      ["Peak Memory Usage", Number(m[5])],
    ],
  ],
  [
    new RegExp(
      String.raw`^(?:Planned Partitions: (\d+)\s*)?(?:Batches: (\d+)\s+Memory Usage: ${KB}(?:\s+Disk Usage: ${KB})?)?$`,
    ),
    (m) => {
      const out: Array<[string, PropValue]> = [];
      if (m[1] !== undefined) out.push(["Planned Partitions", Number(m[1])]);
      if (m[2] !== undefined)
        out.push(["HashAgg Batches", Number(m[2])], ["Peak Memory Usage", Number(m[3])]);
      if (m[4] !== undefined) out.push(["Disk Usage", Number(m[4])]);
      return out;
    },
  ],
  [
    new RegExp(
      String.raw`^Hits: (\d+)\s+Misses: (\d+)\s+Evictions: (\d+)\s+Overflows: (\d+)\s+Memory Usage: ${KB}$`,
    ),
    (m) => [
      ["Cache Hits", Number(m[1])],
      ["Cache Misses", Number(m[2])],
      ["Cache Evictions", Number(m[3])],
      ["Cache Overflows", Number(m[4])],
      ["Peak Memory Usage", Number(m[5])],
    ],
  ],
  [
    /^Heap Blocks:((?: \w+=\d+)+)$/,
    (m) => {
      const pairs = readPairs(m[1] ?? "");
      return [
        ["Exact Heap Blocks", pairs.exact ?? 0],
        ["Lossy Heap Blocks", pairs.lossy ?? 0],
      ];
    },
  ],
  [
    new RegExp(String.raw`^Storage: (\S+)\s+Maximum Storage: ${KB}$`),
    (m) => [
      ["Storage", m[1] ?? ""],
      ["Maximum Storage", Number(m[2])],
    ],
  ],
  [
    /^WAL:(.*)$/,
    (m) => {
      const pairs = readPairs((m[1] ?? "").replace("buffers full", "buffers_full"));
      return [
        ["WAL Records", pairs.records ?? 0],
        ["WAL FPI", pairs.fpi ?? 0],
        ["WAL Bytes", pairs.bytes ?? 0],
        ["WAL Buffers Full", pairs.buffers_full ?? 0],
      ];
    },
  ],
  [
    /^(Full-sort|Pre-sorted) Groups: (\d+)\s+Sort Methods?: (.+?)((?:\s+(?:Average|Peak) (?:Memory|Disk): \d+kB)*)$/,
    (m) => {
      const prefix = m[1] ?? "";
      const out: Array<[string, PropValue]> = [
        [`${prefix} Groups`, Number(m[2])],
        [`${prefix} Sort Methods`, (m[3] ?? "").split(", ")],
      ];
      for (const s of (m[4] ?? "").matchAll(/(Average|Peak) (Memory|Disk): (\d+)kB/g)) {
        out.push([`${prefix} ${s[1]} ${s[2]}`, Number(s[3])]);
      }
      return out;
    },
  ],
  [
    /^Estimates: capacity=(\d+) distinct keys=(\d+) lookups=(\d+) hit percent=([\d.]+)%$/,
    (m) => [
      ["Estimated Capacity", Number(m[1])],
      ["Estimated Distinct Lookup Keys", Number(m[2])],
      ["Estimated Lookups", Number(m[3])],
      ["Estimated Hit Percent", Number(m[4])],
    ],
  ],
];

/** Read one property line of a node or worker. */
export function readPropLine(content: string): PropLine {
  if (content.startsWith("Buffers:")) return { kind: "buffers", buffers: readBuffersText(content.slice(8)) };
  if (content.startsWith("I/O Timings:")) return { kind: "io", io: readIoTimingsText(content.slice(12)) };
  for (const [re, build] of COMPOUND) {
    const m = re.exec(content);
    if (m && m[0] !== "") return { kind: "props", entries: build(m) };
  }
  const colon = content.indexOf(":");
  if (colon < 0) return { kind: "props", entries: [[content, true]] };
  const key = content.slice(0, colon).trim();
  const raw = content.slice(colon + 1).trim();
  return { kind: "props", entries: [[key, propValue(key, raw)]] };
}

function propValue(key: string, raw: string): PropValue {
  if (LIST_PROPS.has(key)) return splitTopLevel(raw);
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === "true" || raw === "false") return raw === "true";
  return raw;
}

function readPairs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/(\w+)=([\d.]+)/g)) out[m[1] ?? ""] = Number(m[2]);
  return out;
}

/** "shared hit=1 read=2, local hit=3, temp read=4 written=5" */
function readBuffersText(text: string): Buffers {
  const buffers = emptyBuffers();
  for (const segment of text.split(",")) {
    const scope = /^\s*(shared|local|temp)\b/.exec(segment)?.[1];
    if (!scope) continue;
    for (const [name, value] of Object.entries(readPairs(segment))) {
      const field = `${scope}${name[0]?.toUpperCase()}${name.slice(1)}` as keyof Buffers;
      if (field in buffers) buffers[field] = value;
    }
  }
  return buffers;
}

/**
 * "read=1.2 write=0.3" (13-14), "shared/local read=1.2, temp read=0.4" (15-16),
 * "shared read=1.2, local read=0.1, temp write=0.4" (17+).
 */
function readIoTimingsText(text: string): IoTimings {
  const io = emptyIoTimings();
  for (const segment of text.split(",")) {
    const scope = /^\s*(shared\/local|shared|local|temp)\b/.exec(segment)?.[1] ?? "shared";
    const prefix = scope === "shared/local" ? "shared" : scope;
    const pairs = readPairs(segment);
    if (pairs.read !== undefined) io[`${prefix}ReadMs` as keyof IoTimings] += pairs.read;
    if (pairs.write !== undefined) io[`${prefix}WriteMs` as keyof IoTimings] += pairs.write;
  }
  return io;
}
