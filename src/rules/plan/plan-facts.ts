/** What plan rules read, and helpers they share for naming nodes and grading impact. */
import type { AnalyzedPlan, NodeMetrics } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { IndexFacts, Snapshot, StatementFacts, TableFacts } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { qname, type SqlText } from "../../util/sql-text.js";
import type { OrderKey } from "./index-suggestion.js";

export interface PlanFacts {
  analyzed: AnalyzedPlan;
  /** The statement, when dbopt ran EXPLAIN itself or the user gave it. */
  sql?: string | null;
  /** Schema and statistics of the database the plan came from, when known. */
  snapshot?: Snapshot | null;
  /** pg_stat_statements figures of the statement, when the plan is a generic plan of a workload statement. */
  statement?: StatementFacts | null;
}

export const EXPLAIN_DOCS = "https://www.postgresql.org/docs/current/using-explain.html";

/** Severity from how much of the statement the problem costs: share of time (or cost) and absolute time. */
export function severityFromImpact(share: number, ms: number | null): Severity {
  if (ms === null) return share >= 0.5 ? "warning" : "info";
  if (share >= 0.5 && ms >= 100) return "error";
  if (share >= 0.2 && ms >= 10) return "warning";
  return "info";
}

/** Share of the statement a node accounts for: exclusive time when timed, exclusive cost otherwise. */
export function nodeShare(m: NodeMetrics): number {
  return m.exclusiveShare ?? m.exclusiveCostShare ?? 0;
}

/** Ranking weight: milliseconds for timed plans, a cost share (0..1) for estimates. */
export function nodeImpact(m: NodeMetrics): number {
  return m.exclusiveMs ?? m.exclusiveCostShare ?? 0;
}

export function findTable(snapshot: Snapshot | null | undefined, node: PlanNode): TableFacts | null {
  if (!snapshot || !node.relationName) return null;
  const matches = snapshot.tables.filter(
    (t) => t.name === node.relationName && (node.schema === null || t.schema === node.schema),
  );
  return matches.find((t) => t.schema === "public") ?? matches[0] ?? null;
}

/** The table a scan node reads, named for SQL: the schema from the plan (JSON, or VERBOSE text) or the snapshot. */
export interface PlanTable {
  schema: string | null;
  name: string;
  /** schema.name quoted, or the bare name when the schema is not known. */
  sql: SqlText;
  /** For the note when the schema is not known: the printed name is resolved by search_path. */
  caveat: string;
  /** "schema.name" for Finding.objects ("public" when the schema is not known, as before). */
  object: string;
}

export function planTable(snapshot: Snapshot | null | undefined, node: PlanNode): PlanTable | null {
  if (!node.relationName) return null;
  const matches = snapshot?.tables.filter(
    (t) => t.name === node.relationName && (node.schema === null || t.schema === node.schema),
  );
  // Without VERBOSE a text plan names no schema: the snapshot settles it only when one table has the name.
  const schema = node.schema ?? (matches?.length === 1 ? (matches[0]?.schema ?? null) : null);
  const name = node.relationName;
  return {
    schema,
    name,
    sql: qname(schema, name),
    caveat:
      schema === null
        ? ` The plan does not say which schema ${name} is in (EXPLAIN without VERBOSE${snapshot ? `, and ${matches?.length ? "several schemas have a table of that name" : "the snapshot has no such table"}` : ", and no snapshot"}): the name is resolved by search_path, so qualify it if it is not the one you mean.`
        : "",
    object: `${schema ?? "public"}.${name}`,
  };
}

export function tableIndexes(snapshot: Snapshot | null | undefined, table: TableFacts | null): IndexFacts[] {
  if (!snapshot || !table) return [];
  return snapshot.indexes.filter((i) => i.table === table.name && i.tableSchema === table.schema);
}

/** The children that feed a node rows (not its InitPlans and SubPlans). */
export function inputs(node: PlanNode): PlanNode[] {
  return node.children.filter((c) => c.role === "child");
}

/** Every node under (and including) `node`, in pre-order; iterative, so a deep plan cannot overflow the stack. */
export function subtree(node: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as PlanNode);
  }
  return out;
}

/** A setting as the plan (EXPLAIN SETTINGS) or the snapshot reports it, with its unit. */
export function settingOf(facts: PlanFacts, name: string): string | null {
  const fromPlan = facts.analyzed.plan.settings[name];
  if (fromPlan) return fromPlan;
  const s = facts.snapshot?.settings.find((x) => x.name === name);
  if (!s) return null;
  return s.unit === "kB" ? `${s.setting}kB` : s.unit === "8kB" ? `${Number(s.setting) * 8}kB` : s.setting;
}

/** Nodes that pass their input's row order through to a Limit above them. */
const ORDER_PRESERVING = new Set(["Gather Merge", "Result", "Unique", "Incremental Sort", "Sort", "Limit"]);

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)`;
const SORT_KEY = new RegExp(`^(?:(${IDENT})\\.)?(${IDENT})( DESC| ASC)?( NULLS (?:FIRST|LAST))?$`);

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** A plan's sort key (`o.created_at DESC`, `"Line Item"."Qty"`) read back into names, or null for an expression. */
export function parseSortKey(
  key: string,
): { qualifier: string | null; column: string; desc: boolean; nulls: string | null } | null {
  const m = SORT_KEY.exec(key.trim());
  if (!m?.[2]) return null;
  return {
    qualifier: m[1] ? unquote(m[1]) : null,
    column: unquote(m[2]),
    desc: m[3] === " DESC",
    nulls: m[4]?.trim() ?? null,
  };
}

/**
 * When the scan `id` feeds a top-N (ORDER BY ... LIMIT), the ORDER BY columns of its own table, so an index can
 * return rows in order and stop after N. Empty when there is no Limit above or a key is an expression.
 */
export function topNOrderColumns(analyzed: AnalyzedPlan, id: number): OrderKey[] {
  const scan = analyzed.nodes[id];
  if (!scan) return [];
  let keys: string[] | null = null;
  for (let p = analyzed.parents[id]; p; p = analyzed.parents[p.id]) {
    if (!ORDER_PRESERVING.has(p.nodeType)) return [];
    if (
      (p.nodeType === "Sort" || p.nodeType === "Incremental Sort") &&
      keys === null &&
      Array.isArray(p.props["Sort Key"])
    ) {
      keys = p.props["Sort Key"];
    }
    if (p.nodeType === "Limit") break;
    if (!analyzed.parents[p.id]) return [];
  }
  if (!keys) return [];
  const out: OrderKey[] = [];
  for (const key of keys) {
    const k = parseSortKey(key);
    if (!k || k.nulls || (k.qualifier && k.qualifier !== scan.alias && k.qualifier !== scan.relationName))
      return [];
    out.push({ column: k.column, desc: k.desc });
  }
  return out;
}

/** Check every node: the callback returns a finding for the node, or nothing. */
export function nodeFindings(
  analyzed: AnalyzedPlan,
  check: (node: PlanNode, m: NodeMetrics, id: number) => Finding | null | undefined,
): Finding[] {
  const out: Finding[] = [];
  analyzed.nodes.forEach((node, id) => {
    const m = analyzed.metrics[id];
    const finding = m ? check(node, m, id) : null;
    if (finding) out.push(finding);
  });
  return out;
}
