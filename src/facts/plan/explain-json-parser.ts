import { InputError } from "../../util/input-error.js";
import {
  type Buffers,
  emptyBuffers,
  emptyIoTimings,
  type IoTimings,
  type JitInfo,
  type NodeActuals,
  type NodeRole,
  numberNodes,
  type Plan,
  type PlanNode,
  type PropValue,
  type Trigger,
  type WorkerActuals,
} from "./plan-model.js";
import {
  BUFFER_JSON_KEYS,
  DEFAULT_DETAILS,
  DETAIL_KEYS,
  IO_TIMING_JSON_KEYS,
  isAllZero,
  normaliseProps,
  OBJECT_NAME_JSON_KEYS,
} from "./plan-props.js";

type Json = Record<string, unknown>;

const HANDLED_NODE_KEYS = new Set<string>([
  "Node Type",
  "Parent Relationship",
  "Subplan Name",
  "Parallel Aware",
  "Async Capable",
  "Schema",
  "Alias",
  "Index Name",
  "Startup Cost",
  "Total Cost",
  "Plan Rows",
  "Plan Width",
  "Actual Startup Time",
  "Actual Total Time",
  "Actual Rows",
  "Actual Loops",
  "Workers",
  "Plans",
  "Grouping Sets",
  "Target Tables",
  "Full-sort Groups",
  "Pre-sorted Groups",
  ...DETAIL_KEYS,
  ...OBJECT_NAME_JSON_KEYS,
  ...Object.keys(BUFFER_JSON_KEYS),
  ...Object.keys(IO_TIMING_JSON_KEYS),
]);

/** Parse EXPLAIN (FORMAT JSON) output, as PostgreSQL prints it or as tools re-wrap it: its first plan. */
export function parseExplainJson(input: string): Plan {
  return parseExplainJsonPlans(input)[0] as Plan;
}

/**
 * Every plan in EXPLAIN (FORMAT JSON) output: one per object with a "Plan" (a rule can make EXPLAIN print
 * several; tools concatenate outputs into one array). Throws when there is none.
 */
export function parseExplainJsonPlans(input: string): Plan[] {
  let data: unknown;
  try {
    data = JSON.parse(input);
  } catch (error) {
    throw new InputError(
      "the plan looks like JSON but does not parse; it may be truncated",
      "paste the complete output of EXPLAIN (FORMAT JSON), from the opening [ to the closing ]",
      { cause: error },
    );
  }
  const tops = findPlanObjects(data);
  if (tops.length === 0) {
    throw new InputError(
      'the JSON has no "Plan" object, so it is not EXPLAIN output',
      "run EXPLAIN (FORMAT JSON) and pass its whole output",
    );
  }
  // A 64-bit id loses digits in JSON.parse: take the ids from the text, in order.
  const queryIds = [...input.matchAll(/"Query Identifier":\s*(-?\d+)/g)].map((m) => m[1] ?? null);
  let queryIdAt = 0;
  return tops.map((top) => {
    const rootJson = (isNode(top) ? top : top.Plan) as Json;
    const root = convertTree(rootJson);
    numberNodes(root);
    const summary = isNode(top) ? {} : top;
    return {
      root,
      planningMs: num(summary["Planning Time"]),
      planningBuffers: isObject(summary.Planning) ? readBuffers(summary.Planning) : null,
      executionMs: num(summary["Execution Time"]),
      serialization: readSerialization(summary.Serialization),
      triggers: Array.isArray(summary.Triggers) ? summary.Triggers.filter(isObject).map(readTrigger) : [],
      jit: isObject(summary.JIT) ? readJit(summary.JIT) : null,
      settings: isObject(summary.Settings) ? mapValues(summary.Settings, String) : {},
      queryIdentifier: summary["Query Identifier"] === undefined ? null : (queryIds[queryIdAt++] ?? null),
      analyzed: root.actual !== undefined || summary["Execution Time"] !== undefined,
      notes: [],
    };
  });
}

/**
 * The objects that hold a plan ({"Plan": ...} or a bare node), breadth first, not looking inside a plan once
 * found. Iterative, so a deeply nested wrapper cannot overflow the stack.
 */
function findPlanObjects(data: unknown): Json[] {
  const found: Json[] = [];
  const queue: unknown[] = [data];
  for (let i = 0; i < queue.length; i++) {
    const item = queue[i];
    if (Array.isArray(item)) {
      for (const value of item) queue.push(value);
      continue;
    }
    if (!isObject(item)) continue;
    if (isObject(item.Plan) || isNode(item)) {
      found.push(item);
      continue;
    }
    // Some tools wrap the output: {"QUERY PLAN": [...]}.
    for (const value of Object.values(item)) queue.push(value);
  }
  return found;
}

function isNode(value: Json): boolean {
  return typeof value["Node Type"] === "string";
}

/** Convert a node and everything under it, with an explicit stack: depth costs no call stack. */
function convertTree(rootJson: Json): PlanNode {
  const root = convertNode(rootJson, "child");
  const stack: Array<[Json, PlanNode]> = [[rootJson, root]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [json, node] = entry;
    if (!Array.isArray(json.Plans)) continue;
    for (const childJson of json.Plans.filter(isObject)) {
      const child = convertNode(childJson, roleOf(childJson));
      node.children.push(child);
      stack.push([childJson, child]);
    }
  }
  return root;
}

/** One node's own fields; its children are filled in by convertTree. */
function convertNode(json: Json, role: NodeRole): PlanNode {
  const details: Record<string, string> = {};
  for (const key of DETAIL_KEYS) {
    const value = json[key];
    if (typeof value === "string" && DEFAULT_DETAILS[key] !== value) details[key] = value;
  }
  const objectKey = OBJECT_NAME_JSON_KEYS.find((key) => typeof json[key] === "string");
  const props: Record<string, PropValue> = {};
  for (const [key, value] of Object.entries(json)) {
    if (HANDLED_NODE_KEYS.has(key)) continue;
    const prop = toProp(value);
    if (prop !== undefined) props[key] = prop;
  }
  if (Array.isArray(json["Grouping Sets"])) props["Grouping Sets"] = readGroupingSets(json["Grouping Sets"]);
  if (Array.isArray(json["Target Tables"])) {
    // Partitions a ModifyTable writes to: their names, as the text format's "Update on t_p1 t_1" lines give them.
    props["Target Tables"] = json["Target Tables"]
      .filter(isObject)
      .map((t) => String(t["Relation Name"] ?? ""));
  }
  for (const prefix of ["Full-sort", "Pre-sorted"] as const) {
    const groups = json[`${prefix} Groups`];
    if (isObject(groups)) Object.assign(props, readSortGroups(prefix, groups));
  }
  return {
    id: 0,
    nodeType: String(json["Node Type"]),
    role,
    subplanName: typeof json["Subplan Name"] === "string" ? json["Subplan Name"] : null,
    parallelAware: json["Parallel Aware"] === true,
    asyncCapable: json["Async Capable"] === true,
    details,
    relationName: objectKey ? String(json[objectKey]) : null,
    schema: typeof json.Schema === "string" ? json.Schema : null,
    alias: typeof json.Alias === "string" ? json.Alias : null,
    indexName: typeof json["Index Name"] === "string" ? json["Index Name"] : null,
    cost:
      json["Total Cost"] === undefined
        ? null
        : { startup: num(json["Startup Cost"]) ?? 0, total: num(json["Total Cost"]) ?? 0 },
    planRows: num(json["Plan Rows"]),
    planWidth: num(json["Plan Width"]),
    actual: readActuals(json),
    buffers: readBuffers(json),
    ioTimings: readIoTimings(json),
    workers: Array.isArray(json.Workers) ? json.Workers.filter(isObject).map(readWorker) : [],
    props: normaliseProps(props),
    children: [],
  };
}

function roleOf(json: Json): NodeRole {
  const relationship = json["Parent Relationship"];
  if (relationship === "InitPlan") return "initplan";
  if (relationship === "SubPlan") return "subplan";
  return "child";
}

function readActuals(json: Json): NodeActuals | null | undefined {
  if (json["Actual Loops"] === undefined) return undefined;
  const loops = num(json["Actual Loops"]) ?? 0;
  if (loops === 0) return null; // "(never executed)"
  return {
    startupMs: num(json["Actual Startup Time"]),
    totalMs: num(json["Actual Total Time"]),
    rows: num(json["Actual Rows"]) ?? 0,
    loops,
  };
}

function readBuffers(json: Json): Buffers | null {
  const buffers = emptyBuffers();
  let seen = false;
  for (const [key, field] of Object.entries(BUFFER_JSON_KEYS)) {
    const value = num(json[key]);
    if (value !== null) {
      buffers[field] = value;
      seen = true;
    }
  }
  return seen && !isAllZero(buffers) ? buffers : null;
}

function readIoTimings(json: Json): IoTimings | null {
  const timings = emptyIoTimings();
  for (const [key, field] of Object.entries(IO_TIMING_JSON_KEYS)) {
    const value = num(json[key]);
    if (value !== null) timings[field] += value;
  }
  return isAllZero(timings) ? null : timings;
}

function readWorker(json: Json): WorkerActuals {
  const props: Record<string, PropValue> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "Worker Number" || HANDLED_NODE_KEYS.has(key)) continue;
    const prop = toProp(value);
    if (prop !== undefined) props[key] = prop;
  }
  const actual = readActuals(json);
  return {
    worker: num(json["Worker Number"]) ?? 0,
    actual: actual ?? null,
    buffers: readBuffers(json),
    ioTimings: readIoTimings(json),
    props: normaliseProps(props),
  };
}

/** Grouping sets as the text format lists them: "Sort Key: a", "Group Key: a, b", "Hash Key: c", "Group Key: ()". */
function readGroupingSets(sets: unknown[]): string[] {
  const lines: string[] = [];
  for (const set of sets.filter(isObject)) {
    if (Array.isArray(set["Sort Key"])) lines.push(`Sort Key: ${set["Sort Key"].join(", ")}`);
    for (const [key, label] of [
      ["Group Keys", "Group Key"],
      ["Hash Keys", "Hash Key"],
    ] as const) {
      const keys = set[key];
      if (!Array.isArray(keys)) continue;
      for (const group of keys) {
        const list = Array.isArray(group) ? group.map(String) : [];
        lines.push(`${label}: ${list.length ? list.join(", ") : "()"}`);
      }
    }
  }
  return lines;
}

function readSortGroups(prefix: string, groups: Json): Record<string, PropValue> {
  const out: Record<string, PropValue> = {};
  out[`${prefix} Groups`] = num(groups["Group Count"]) ?? 0;
  if (Array.isArray(groups["Sort Methods Used"]))
    out[`${prefix} Sort Methods`] = groups["Sort Methods Used"].map(String);
  for (const [space, label] of [
    ["Sort Space Memory", "Memory"],
    ["Sort Space Disk", "Disk"],
  ] as const) {
    const usage = groups[space];
    if (!isObject(usage)) continue;
    out[`${prefix} Average ${label}`] = num(usage["Average Sort Space Used"]) ?? 0;
    out[`${prefix} Peak ${label}`] = num(usage["Peak Sort Space Used"]) ?? 0;
  }
  return out;
}

function readTrigger(json: Json): Trigger {
  return {
    name: String(json["Trigger Name"] ?? ""),
    constraintName: typeof json["Constraint Name"] === "string" ? json["Constraint Name"] : null,
    relation: typeof json.Relation === "string" ? json.Relation : null,
    timeMs: num(json.Time),
    calls: num(json.Calls) ?? 0,
  };
}

function readJit(json: Json): JitInfo {
  const timing = isObject(json.Timing) ? json.Timing : null;
  let timingMs: Record<string, number> | null = null;
  if (timing) {
    timingMs = {};
    for (const [phase, value] of Object.entries(timing)) {
      // 17+ nests the deform time: "Generation": {"Deform": 0.1, "Total": 0.3}.
      if (isObject(value)) {
        for (const [part, partValue] of Object.entries(value)) {
          const n = num(partValue);
          if (n !== null) timingMs[part === "Total" ? phase : `${phase} ${part}`] = n;
        }
      } else {
        const n = num(value);
        if (n !== null) timingMs[phase] = n;
      }
    }
  }
  return {
    functions: num(json.Functions) ?? 0,
    options: isObject(json.Options) ? mapValues(json.Options, (v) => v === true) : {},
    timingMs,
  };
}

function readSerialization(value: unknown): Plan["serialization"] {
  if (!isObject(value)) return null;
  return {
    timeMs: num(value.Time),
    outputKB: num(value["Output Volume"]) ?? 0,
    format: String(value.Format ?? ""),
    buffers: readBuffers(value),
  };
}

function toProp(value: unknown): PropValue | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

function num(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mapValues<T>(obj: Json, fn: (v: unknown) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}
