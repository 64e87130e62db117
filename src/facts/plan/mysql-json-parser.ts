/**
 * MySQL `EXPLAIN FORMAT=JSON` (5.7 to 8.4, explain_json_format_version=1) and MariaDB `EXPLAIN FORMAT=JSON` /
 * `ANALYZE FORMAT=JSON` into the plan model. Both print a "query_block" holding the join order ("nested_loop"),
 * each "table" with its access type, and wrappers for sorting, grouping, temporary tables, join buffers and
 * subqueries. Each wrapper becomes a node, so the tree reads top-down as the servers execute it. Built
 * breadth-first from a queue: no recursion on depth.
 */
import { InputError } from "../../util/input-error.js";
import {
  accessNodeType,
  MYSQL_PROP,
  mysqlPlan,
  newNode,
  numberOf,
  type PlanDialect,
  setProp,
} from "./mysql-plan-node.js";
import { numberNodes, type Plan, type PlanNode } from "./plan-model.js";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Wrappers that become a node of their own, by their key, with the node type they get. */
const WRAPPERS: Record<string, string> = {
  query_block: "Query Block",
  filesort: "Filesort",
  temporary_table: "Temporary Table",
  ordering_operation: "Ordering Operation",
  grouping_operation: "Grouping Operation",
  duplicates_removal: "Duplicates Removal",
  duplicate_removal: "Duplicates Removal",
  windowing: "Windowing",
  buffer_result: "Buffer Result",
  union_result: "Union Result",
  "block-nl-join": "Block Nested Loop",
  materialized_from_subquery: "Materialized Subquery",
};

/** Keys whose value is a list of subqueries (each `{query_block}`, MySQL's `{dependent, cacheable, query_block}`
 * or MariaDB's `{expression_cache: {query_block}}`). */
const SUBQUERY_LISTS = new Set([
  "subqueries",
  "attached_subqueries",
  "optimized_away_subqueries",
  "order_by_subqueries",
  "group_by_subqueries",
  "having_subqueries",
  "select_list_subqueries",
  "update_value_subqueries",
]);

/** Keys that only pass their content through: read_sorted_file holds the filesort that feeds it. */
const PASS_THROUGH = new Set(["read_sorted_file", "expression_cache", "query_optimization"]);

interface Work {
  key: string;
  value: Json;
  parent: PlanNode | null;
  role: PlanNode["role"];
  /** Props of a subquery list item (dependent, cacheable, expression cache) handed to its query block. */
  inherited: Json;
}

/** Parse the JSON text of a MySQL or MariaDB plan. */
export function parseMysqlJsonPlan(text: string, data?: unknown): Plan {
  let parsed = data;
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InputError(
        "the MySQL/MariaDB plan looks like JSON but does not parse; it may be truncated",
        "paste the complete output of EXPLAIN FORMAT=JSON, from the opening { to the closing }",
        { cause: error },
      );
    }
  }
  const top = (Array.isArray(parsed) ? parsed[0] : parsed) as Json;
  if (!isObject(top) || !isObject(top.query_block)) {
    throw new InputError(
      'the JSON holds no "query_block": it is not a MySQL or MariaDB plan',
      "paste the output of EXPLAIN FORMAT=JSON or ANALYZE FORMAT=JSON",
    );
  }
  const dialect = detectDialect(top);
  let analyzed = false;
  let root: PlanNode | null = null;
  const queue: Work[] = [
    { key: "query_block", value: top.query_block, parent: null, role: "child", inherited: {} },
  ];
  for (let i = 0; i < queue.length; i++) {
    const work = queue[i] as Work;
    const node = makeNode(work);
    if ("r_loops" in work.value || "r_rows" in work.value) analyzed = true;
    if (work.parent) work.parent.children.push(node);
    else root = node;
    for (const [key, value] of Object.entries(work.value)) enqueueChildren(queue, node, key, value);
  }
  const rootNode = root as PlanNode;
  numberNodes(rootNode);
  const optimization = isObject(top.query_optimization)
    ? numberOf(top.query_optimization.r_total_time_ms)
    : null;
  return mysqlPlan(rootNode, {
    analyzed,
    dialect,
    planningMs: optimization,
    executionMs: numberOf(top.query_block.r_total_time_ms),
  });
}

/** MySQL prints cost_info and "rows_examined_per_scan"; MariaDB prints "rows" and r_* figures. */
function detectDialect(top: Json): PlanDialect {
  const text = JSON.stringify(top);
  return /"cost_info"|"rows_examined_per_scan"|"query_cost"/.test(text) ? "mysql" : "mariadb";
}

function enqueueChildren(queue: Work[], node: PlanNode, key: string, value: unknown): void {
  if (key === "nested_loop" && Array.isArray(value)) {
    // One table is no join: it hangs under the wrapper directly.
    const parent = value.length > 1 ? join(node) : node;
    for (const item of value) if (isObject(item)) enqueueItem(queue, parent, item, "child", {});
    return;
  }
  if (key === "table" && isObject(value)) {
    queue.push({ key, value, parent: node, role: "child", inherited: {} });
    return;
  }
  if (key === "query_specifications" && Array.isArray(value)) {
    for (const item of value) if (isObject(item)) enqueueItem(queue, node, item, "child", {});
    return;
  }
  if (SUBQUERY_LISTS.has(key) && Array.isArray(value)) {
    for (const item of value) if (isObject(item)) enqueueSubquery(queue, node, item);
    return;
  }
  if (isObject(value) && (key in WRAPPERS || PASS_THROUGH.has(key))) {
    enqueueItem(queue, node, { [key]: value }, "child", {});
  }
}

function join(node: PlanNode): PlanNode {
  const loop = newNode("Nested Loop Join");
  node.children.push(loop);
  return loop;
}

/** An object holding one wrapper or table (`{table: ...}`, `{block-nl-join: ...}`, `{read_sorted_file: ...}`). */
function enqueueItem(
  queue: Work[],
  parent: PlanNode,
  item: Json,
  role: PlanNode["role"],
  inherited: Json,
): void {
  for (const [key, value] of Object.entries(item)) {
    if (!isObject(value)) continue;
    if (PASS_THROUGH.has(key)) {
      // Its scalar fields (MariaDB's expression cache state) are kept on what it wraps.
      const passed = { ...inherited };
      for (const [k, v] of Object.entries(value))
        if (!isObject(v) && !Array.isArray(v)) passed[`${key}.${k}`] = v;
      enqueueItem(queue, parent, value, role, passed);
    } else if (key === "table" || key in WRAPPERS) {
      queue.push({ key, value, parent, role, inherited });
    }
  }
}

function enqueueSubquery(queue: Work[], parent: PlanNode, item: Json): void {
  const inherited: Json = {};
  for (const [k, v] of Object.entries(item)) if (!isObject(v)) inherited[k] = v;
  // MariaDB caches a subquery's result per distinct outer value only when it is correlated.
  if (isObject(item.expression_cache)) inherited.dependent = true;
  enqueueItem(queue, parent, item, "subplan", inherited);
}

function makeNode(work: Work): PlanNode {
  const { key, value, role } = work;
  if (key === "table") return tableNode(value, role);
  const node = newNode(WRAPPERS[key] ?? key, role);
  for (const [k, v] of Object.entries({ ...work.inherited, ...value })) {
    if (isObject(v) && k !== "cost_info") continue;
    if (k === "cost_info" && isObject(v)) {
      const cost = numberOf(v.query_cost) ?? numberOf(v.sort_cost);
      if (cost !== null) node.cost = { startup: 0, total: cost };
      continue;
    }
    if (k === "dependent") node.props[MYSQL_PROP.dependent] = v === true;
    else if (k === "using_filesort") node.props[MYSQL_PROP.filesort] = v === true;
    else if (k === "using_temporary_table") node.props[MYSQL_PROP.temporary] = v === true;
    else if (k === "sort_key") node.props[MYSQL_PROP.sortKey] = String(v);
    else if (k === "select_id") node.props[MYSQL_PROP.selectId] = Number(v);
    else setProp(node, k, v);
  }
  if (key === "query_block" && role === "subplan")
    node.subplanName = `Subquery select#${value.select_id ?? "?"}`;
  if (key === "filesort") node.props[MYSQL_PROP.filesort] = true;
  if (key === "temporary_table") node.props[MYSQL_PROP.temporary] = true;
  if (key === "block-nl-join") {
    node.props[MYSQL_PROP.joinBuffer] = [value.buffer_type, value.join_type].filter(Boolean).join(", ");
    const ms = (numberOf(value.r_unpack_time_ms) ?? 0) + (numberOf(value.r_other_time_ms) ?? 0);
    if ("r_loops" in value) node.props[MYSQL_PROP.joinTimeMs] = ms;
    const filtered = numberOf(value.r_filtered);
    if (filtered !== null) node.props[MYSQL_PROP.actualFiltered] = filtered;
    if (typeof value.attached_condition === "string")
      node.props[MYSQL_PROP.condition] = value.attached_condition;
  }
  const loops = numberOf(value.r_loops);
  const totalMs = numberOf(value.r_total_time_ms);
  const outputRows = numberOf(value.r_output_rows);
  if (key === "filesort" && loops !== null && outputRows !== null) {
    node.actual = {
      startupMs: null,
      totalMs: totalMs === null ? null : totalMs / Math.max(1, loops),
      rows: outputRows,
      loops,
    };
  }
  return node;
}

function tableNode(t: Json, role: PlanNode["role"]): PlanNode {
  const accessType = typeof t.access_type === "string" ? t.access_type : null;
  const node = newNode(accessNodeType(accessType), role);
  node.relationName = typeof t.table_name === "string" ? t.table_name : null;
  node.indexName = typeof t.key === "string" ? t.key : null;
  node.planRows = numberOf(t.rows_examined_per_scan) ?? numberOf(t.rows);
  if (accessType) node.props[MYSQL_PROP.accessType] = accessType;
  const cost = isObject(t.cost_info) ? t.cost_info : null;
  if (cost) {
    const own = (numberOf(cost.read_cost) ?? 0) + (numberOf(cost.eval_cost) ?? 0);
    node.cost = { startup: 0, total: own };
    const prefix = numberOf(cost.prefix_cost);
    if (prefix !== null) node.props["Prefix Cost"] = prefix;
    if (typeof cost.data_read_per_join === "string")
      node.props["Data Read Per Join"] = cost.data_read_per_join;
  }
  const filtered = numberOf(t.filtered);
  if (filtered !== null) node.props[MYSQL_PROP.filtered] = filtered;
  const actualFiltered = numberOf(t.r_filtered);
  if (actualFiltered !== null) node.props[MYSQL_PROP.actualFiltered] = actualFiltered;
  if (typeof t.attached_condition === "string") node.props[MYSQL_PROP.condition] = t.attached_condition;
  setProp(node, MYSQL_PROP.possibleKeys, t.possible_keys);
  setProp(node, MYSQL_PROP.keyParts, t.used_key_parts);
  setProp(node, MYSQL_PROP.ref, t.ref);
  if (t.using_index === true) node.props[MYSQL_PROP.usingIndex] = true;
  if (typeof t.using_join_buffer === "string") node.props[MYSQL_PROP.joinBuffer] = t.using_join_buffer;
  for (const k of ["rows_produced_per_join", "index_condition", "partitions", "message", "r_engine_stats"]) {
    if (k in t) setProp(node, k, t[k]);
  }
  const loops = numberOf(t.r_loops);
  const rows = numberOf(t.r_rows);
  if (loops !== null) {
    const ms = numberOf(t.r_table_time_ms);
    const other = numberOf(t.r_other_time_ms);
    node.actual =
      loops === 0
        ? null
        : {
            startupMs: null,
            totalMs: ms === null ? null : (ms + (other ?? 0)) / loops,
            rows: rows ?? 0,
            loops,
          };
  }
  return node;
}
