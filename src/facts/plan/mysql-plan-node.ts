/**
 * What the MySQL and MariaDB plan readers share: a plan node made in the one plan model, named the way the
 * servers' own documentation names the access (full table scan, index range scan, ...), with the
 * engine-specific facts kept as props under fixed names that the MySQL plan rules read, whichever of the
 * formats (JSON, ANALYZE JSON, TREE, tabular, \G) the plan came from.
 */
import type { Plan, PlanNode, PropValue } from "./plan-model.js";

/** Which server printed the plan; absent on a Plan means PostgreSQL. */
export type PlanDialect = "postgresql" | "mysql" | "mariadb";

/** Prop names the MySQL plan rules read. */
export const MYSQL_PROP = {
  accessType: "Access Type",
  possibleKeys: "Possible Keys",
  keyParts: "Used Key Parts",
  ref: "Ref",
  filtered: "Filtered",
  actualFiltered: "Actual Filtered",
  condition: "Attached Condition",
  extra: "Extra",
  filesort: "Using Filesort",
  temporary: "Using Temporary",
  temporaryOnDisk: "Temporary Table On Disk",
  joinBuffer: "Join Buffer",
  dependent: "Dependent",
  selectType: "Select Type",
  selectId: "Select Id",
  sortKey: "Sort Key",
  joinTimeMs: "Join Time ms",
  usingIndex: "Using Index",
} as const;

/** The documented access types, as node types a reader of either manual recognises. */
const ACCESS_NODE_TYPES: Record<string, string> = {
  ALL: "Full Table Scan",
  index: "Full Index Scan",
  range: "Index Range Scan",
  ref: "Index Lookup",
  eq_ref: "Unique Index Lookup",
  ref_or_null: "Index Lookup Or Null",
  const: "Constant Row",
  system: "Constant Row",
  fulltext: "Fulltext Index Lookup",
  index_merge: "Index Merge",
  unique_subquery: "Unique Subquery Lookup",
  index_subquery: "Index Subquery Lookup",
  hash_ALL: "Hash Join Scan",
  hash_index: "Hash Join Index Scan",
  hash_range: "Hash Join Range Scan",
};

export function accessNodeType(accessType: string | null): string {
  if (!accessType) return "Table";
  return ACCESS_NODE_TYPES[accessType] ?? `Table Access (${accessType})`;
}

export function newNode(nodeType: string, role: PlanNode["role"] = "child"): PlanNode {
  return {
    id: 0,
    nodeType,
    role,
    subplanName: null,
    parallelAware: false,
    asyncCapable: false,
    details: {},
    relationName: null,
    schema: null,
    alias: null,
    indexName: null,
    cost: null,
    planRows: null,
    planWidth: null,
    actual: undefined,
    buffers: null,
    ioTimings: null,
    workers: [],
    props: {},
    children: [],
  };
}

/**
 * The tabular Extra column ("Using where; Using temporary; Using filesort; Using join buffer (flat, BNL join)")
 * as props: the parts as a list, and the flags the rules read.
 */
export function applyExtra(node: PlanNode, extra: string): void {
  const parts = extra
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return;
  node.props[MYSQL_PROP.extra] = parts;
  for (const part of parts) {
    if (/^Using filesort$/i.test(part)) node.props[MYSQL_PROP.filesort] = true;
    else if (/^Using temporary$/i.test(part)) node.props[MYSQL_PROP.temporary] = true;
    else if (/^Using index$/i.test(part)) node.props[MYSQL_PROP.usingIndex] = true;
    else {
      const buffer = /^Using join buffer \((.*)\)$/i.exec(part);
      if (buffer?.[1]) node.props[MYSQL_PROP.joinBuffer] = buffer[1];
    }
  }
}

/** A number from a plan field that may be printed as a string ("10.00", "1.5K" is not a number and stays null). */
export function numberOf(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(value.trim()))
    return Number(value);
  return null;
}

export function setProp(node: PlanNode, key: string, value: unknown): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    node.props[key] = value;
  } else if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    node.props[key] = value.map(String) as PropValue;
  }
}

/** A MySQL/MariaDB plan in the model: the fields PostgreSQL's EXPLAIN has and MySQL's lacks are empty. */
export function mysqlPlan(
  root: PlanNode,
  how: { analyzed: boolean; dialect: PlanDialect; planningMs?: number | null; executionMs?: number | null },
): Plan {
  return {
    root,
    planningMs: how.planningMs ?? null,
    planningBuffers: null,
    executionMs: how.executionMs ?? null,
    serialization: null,
    triggers: [],
    jit: null,
    settings: {},
    queryIdentifier: null,
    analyzed: how.analyzed,
    dialect: how.dialect,
    notes: [],
  };
}
