/** What plan rules read, and helpers they share for naming nodes and grading impact. */
import type { AnalyzedPlan, NodeMetrics } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import type { IndexFacts, Snapshot, StatementFacts, TableFacts } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";

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

/** "Seq Scan on orders o", "Index Scan using orders_pkey on orders", "Hash Join". */
export function nodeLabel(node: PlanNode): string {
  const parallel = node.parallelAware ? "Parallel " : "";
  const name =
    node.nodeType === "Aggregate" && node.details.Strategy
      ? { Plain: "Aggregate", Sorted: "GroupAggregate", Hashed: "HashAggregate", Mixed: "MixedAggregate" }[
          node.details.Strategy
        ]
      : node.nodeType === "ModifyTable"
        ? (node.details.Operation ?? "ModifyTable")
        : node.nodeType;
  const using = node.indexName ? ` using ${node.indexName}` : "";
  const target = node.relationName
    ? ` on ${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ""}`
    : node.alias
      ? ` on ${node.alias}`
      : "";
  return `${parallel}${name}${node.nodeType === "Bitmap Index Scan" ? ` on ${node.indexName}` : `${using}${target}`}`;
}

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

export function tableIndexes(snapshot: Snapshot | null | undefined, table: TableFacts | null): IndexFacts[] {
  if (!snapshot || !table) return [];
  return snapshot.indexes.filter((i) => i.table === table.name && i.tableSchema === table.schema);
}

/** The children that feed a node rows (not its InitPlans and SubPlans). */
export function inputs(node: PlanNode): PlanNode[] {
  return node.children.filter((c) => c.role === "child");
}

/** Every node under (and including) `node`. */
export function subtree(node: PlanNode): PlanNode[] {
  return [node, ...node.children.flatMap(subtree)];
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

/**
 * When the scan `id` feeds a top-N (ORDER BY ... LIMIT), the ORDER BY columns of its own table, so an index can
 * return rows in order and stop after N. Empty when there is no Limit above or a key is an expression.
 */
export function topNOrderColumns(analyzed: AnalyzedPlan, id: number): string[] {
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
  const names: string[] = [];
  for (const key of keys) {
    const m = /^(?:("?[\w$]+"?)\.)?("?[\w$]+"?)( DESC)?$/.exec(key);
    const qualifier = m?.[1]?.replace(/"/g, "");
    if (!m || (qualifier && qualifier !== scan.alias && qualifier !== scan.relationName)) return [];
    names.push(`${m[2]}${m[3] ?? ""}`);
  }
  return names;
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
