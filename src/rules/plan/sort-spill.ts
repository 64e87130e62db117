import { nodeLabel } from "../../facts/plan/node-label.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { setSession } from "../../findings/fix-sql.js";
import { formatBytes, formatMs, round3, roundMemorySetting } from "../../util/format.js";
import { comment, ident, list, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import {
  inputs,
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  parseSortKey,
  planTable,
  settingOf,
  severityFromImpact,
} from "./plan-facts.js";

type Options = { minDiskKB: number };

/**
 * A sort that did not fit in work_mem and went to disk. An in-memory sort needs roughly twice the space of its
 * on-disk runs (tuple headers and pointers), which is what the suggested work_mem allows for.
 */
export const sortSpill: Rule<PlanFacts, Options> = {
  id: "plan/sort-spill",
  family: "plan",
  title: "Sort spilled to disk",
  description:
    "A Sort (or Incremental Sort) used an external merge on disk because its input did not fit in work_mem.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
  options: { minDiskKB: { default: 1, description: "kB written to disk, from which a sort is reported" } },
  check(facts, o) {
    const { analyzed } = facts;
    // A generic plan shows no spill, but pg_stat_statements counts the temporary blocks its calls wrote.
    const workloadKB =
      facts.statement && facts.statement.calls > 0
        ? (facts.statement.tempBlksWritten * 8) / facts.statement.calls
        : 0;
    const firstSort = analyzed.nodes.find((n) => n.nodeType === "Sort" || n.nodeType === "Incremental Sort");
    return nodeFindings(analyzed, (node, m, id) => {
      if (!m || (node.nodeType !== "Sort" && node.nodeType !== "Incremental Sort")) return null;
      const fromWorkload = !analyzed.plan.analyzed && node === firstSort && workloadKB >= o.minDiskKB;
      const diskKB = fromWorkload ? workloadKB : diskUsedKB(node);
      if (diskKB < o.minDiskKB) return null;
      const perProcessKB = diskKB / Math.max(1, node.workers.length ? node.workers.length + 1 : 1);
      const workMem = roundMemorySetting(perProcessKB * 1024 * 2);
      const keys = Array.isArray(node.props["Sort Key"]) ? node.props["Sort Key"] : [];
      const indexFix = sortIndex(node, keys, facts.snapshot);
      const share = nodeShare(m);
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.exclusiveMs),
        title: fromWorkload
          ? `${nodeLabel(node)} on ${keys.join(", ")} spills about ${formatBytes(diskKB * 1024)} to disk per call`
          : `${nodeLabel(node)} on ${keys.join(", ")} spilled ${formatBytes(diskKB * 1024)} to disk`,
        detail: fromWorkload
          ? `pg_stat_statements counted ${formatBytes(diskKB * 1024)} of temporary files per call for this statement, and this sort is the step that writes them: work_mem (${settingOf(facts, "work_mem") ?? "4MB by default"}) is too small for it.`
          : `The sort ran as an external merge (${node.props["Sort Method"] ?? "on disk"}) because work_mem (${settingOf(facts, "work_mem") ?? "4MB by default"}) was too small; it took ${formatMs(m.exclusiveMs)}.`,
        evidence: {
          sortKey: keys.join(", "),
          sortMethod: String(node.props["Sort Method"] ?? ""),
          diskKB: Math.round(diskKB),
          measuredBy: fromWorkload ? "pg_stat_statements" : "EXPLAIN ANALYZE",
          workers: node.workers.length,
          rowsSorted: analyzed.metrics[inputs(node)[0]?.id ?? -1]?.totalRows ?? null,
          exclusiveMs: m.exclusiveMs === null ? null : round3(m.exclusiveMs),
          workMem: settingOf(facts, "work_mem"),
        },
        fix: {
          sql: indexFix
            ? sql`${setSession("work_mem", workMem)}\n${comment("or avoid the sort:")}\n${indexFix.sql}`
            : setSession("work_mem", workMem),
          note: `work_mem = '${workMem}' lets this sort run in memory; set it for this session or role (ALTER ROLE ... SET work_mem) rather than server-wide, since every sort and hash of every connection may use that much.${indexFix ? ` An index in the sort order returns the rows already sorted (CREATE INDEX CONCURRENTLY cannot run inside a transaction block).${indexFix.caveat}` : ""}`,
        },
        docsUrl: this.docsUrl,
        impact: fromWorkload ? (m.exclusiveCostShare ?? 0) : nodeImpact(m),
        nodeId: id,
      };
    });
  },
};

function diskUsedKB(node: PlanNode): number {
  const own = node.props["Sort Space Type"] === "Disk" ? Number(node.props["Sort Space Used"] ?? 0) : 0;
  const incremental =
    Number(node.props["Full-sort Peak Disk"] ?? 0) + Number(node.props["Pre-sorted Peak Disk"] ?? 0);
  const workers = node.workers.reduce(
    (sum, w) => sum + (w.props["Sort Space Type"] === "Disk" ? Number(w.props["Sort Space Used"] ?? 0) : 0),
    0,
  );
  return own + incremental + workers;
}

/** An index that returns the sort's input in order, when the input is a plain scan of one table. */
function sortIndex(
  node: PlanNode,
  keys: string[],
  snapshot: PlanFacts["snapshot"],
): { sql: SqlText; caveat: string } | null {
  const scan = inputs(node)[0];
  if (!scan?.relationName || !/Scan$/.test(scan.nodeType) || scan.nodeType === "CTE Scan") return null;
  if (
    scan.nodeType === "Function Scan" ||
    scan.nodeType === "Subquery Scan" ||
    scan.nodeType === "Values Scan"
  )
    return null;
  const table = planTable(snapshot, scan);
  const parsed = keys.map(parseSortKey);
  if (!table || keys.length === 0) return null;
  const items: SqlText[] = [];
  for (const k of parsed) {
    if (!k || (k.qualifier && k.qualifier !== scan.alias && k.qualifier !== scan.relationName)) return null;
    const direction = k.desc ? sql` DESC` : sql``;
    const nulls =
      k.nulls === "NULLS FIRST" ? sql` NULLS FIRST` : k.nulls === "NULLS LAST" ? sql` NULLS LAST` : sql``;
    items.push(sql`${ident(k.column)}${direction}${nulls}`);
  }
  return { sql: sql`CREATE INDEX CONCURRENTLY ON ${table.sql} (${list(items)});`, caveat: table.caveat };
}
