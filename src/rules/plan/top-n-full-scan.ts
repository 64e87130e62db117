import { nodeLabel } from "../../facts/plan/node-label.js";
import type { AnalyzedPlan } from "../../facts/plan/plan-metrics.js";
import { formatCount, round3 } from "../../util/format.js";
import { ident, indexExpression, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { suggestIndex } from "./index-suggestion.js";
import {
  findTable,
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  parseSortKey,
  planTable,
  severityFromImpact,
  tableIndexes,
} from "./plan-facts.js";

type Options = { minRows: number; maxReturnedShare: number; minShare: number };

/** Nodes between a scan and its Limit that keep the order a sorted input would have. */
const ORDER_PRESERVING = new Set(["Gather Merge", "Result", "Sort", "Incremental Sort", "Limit"]);

/**
 * A top-N (ORDER BY ... LIMIT n) answered by reading the whole table and sorting it, with no filter (a filter is
 * seq-scan-filter's). An index on the ORDER BY keys, expressions such as lower(period) included, returns the
 * first n rows in order and stops.
 */
export const topNFullScan: Rule<PlanFacts, Options> = {
  id: "plan/top-n-full-scan",
  family: "plan",
  title: "Top-N reads and sorts the whole table",
  description:
    "ORDER BY ... LIMIT n answered by a Seq Scan of every row and a sort. An index on the ORDER BY keys (an expression index for ORDER BY lower(x)) returns the first n rows in order and stops there.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-ordering.html",
  options: {
    minRows: { default: 10_000, description: "rows the scan reads, below which a sort is cheap anyway" },
    maxReturnedShare: {
      default: 0.01,
      description: "share of the rows read that the LIMIT returns, at most",
    },
    minShare: { default: 0.05, description: "share of the statement's time (or cost) spent in the scan" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.nodeType !== "Seq Scan" || node.props.Filter !== undefined) return null;
      if (!m || nodeShare(m) < o.minShare) return null;
      const top = topN(analyzed, id);
      if (!top) return null;
      const read = m.totalRows ?? (node.planRows === null ? null : node.planRows * m.processes);
      const limit = analyzed.metrics[top.limitId];
      const limitNode = analyzed.nodes[top.limitId];
      const returned = limit?.totalRows ?? limitNode?.planRows ?? null;
      if (read === null || returned === null || read < o.minRows || returned > read * o.maxReturnedShare)
        return null;
      const relation = planTable(snapshot, node);
      if (!relation) return null;
      const columns = sortKeyItems(top.keys, node.alias, node.relationName);
      if (!columns) return null;
      const suggestion = suggestIndex(relation, columns, tableIndexes(snapshot, findTable(snapshot, node)));
      const share = nodeShare(m);
      const estimated = m.totalRows === null;
      const order = top.keys.join(", ");
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.exclusiveMs),
        title: `${nodeLabel(node)} reads ${estimated ? "an estimated " : ""}${formatCount(read)} rows and sorts them to return ${formatCount(returned)}`,
        detail: `ORDER BY ${order} with a LIMIT: every row is read and sorted to keep the first ${formatCount(returned)}.`,
        evidence: {
          table: relation.name,
          sortKey: order,
          rowsRead: read,
          rowsReturned: returned,
          estimated,
          exclusiveMs: m.exclusiveMs === null ? null : round3(m.exclusiveMs),
          [m.exclusiveShare !== null ? "timeShare" : "costShare"]: round3(share),
        },
        fix: suggestion.coveredBy
          ? {
              note: `Index ${suggestion.coveredBy.name} already starts with these keys but the planner did not use it: check the statistics (ANALYZE refreshes them) and that the ORDER BY matches the index's expression and collation exactly.${relation.caveat}`,
              sql: sql`ANALYZE ${relation.sql};`,
            }
          : {
              sql: suggestion.ddl,
              note: `An index on (${columns.join(", ")}) returns the rows already in ORDER BY order, so the LIMIT stops after the first ${formatCount(returned)} instead of reading and sorting ${formatCount(read)}. With an equality filter in the statement, put its columns first. Build it CONCURRENTLY (outside a transaction block) so writes continue meanwhile.${relation.caveat}`,
            },
        docsUrl: this.docsUrl,
        impact: nodeImpact(m),
        nodeId: id,
        objects: [relation.object],
      };
    });
  },
};

/** The Sort keys between the scan and a Limit above it, with the Limit's node id; null when there is none. */
function topN(analyzed: AnalyzedPlan, id: number): { keys: string[]; limitId: number } | null {
  let keys: string[] | null = null;
  for (let p = analyzed.parents[id]; p; p = analyzed.parents[p.id]) {
    if (!ORDER_PRESERVING.has(p.nodeType)) return null;
    if (p.nodeType === "Sort" && keys === null && Array.isArray(p.props["Sort Key"]))
      keys = p.props["Sort Key"];
    if (p.nodeType === "Limit") return keys ? { keys, limitId: p.id } : null;
  }
  return null;
}

/**
 * Sort keys as index key items: a column of the scanned table, or an expression without its table qualifiers.
 * Null when a key belongs to another table, names NULLS FIRST/LAST, or cannot stand in an index.
 */
function sortKeyItems(keys: string[], alias: string | null, relation: string | null): SqlText[] | null {
  const parsed = keys.map((key) => {
    const m = /^(.*?)(\s+(?:ASC|DESC))?(\s+NULLS\s+(?:FIRST|LAST))?$/i.exec(key.trim());
    return { text: m?.[1] ?? key, desc: /DESC/i.test(m?.[2] ?? ""), nulls: Boolean(m?.[3]) };
  });
  if (parsed.some((k) => k.nulls)) return null;
  // One direction for all keys: a backward scan serves DESC. Mixed directions must be spelled out.
  const mixed = new Set(parsed.map((k) => k.desc)).size > 1;
  const items: SqlText[] = [];
  for (const k of parsed) {
    const column = parseSortKey(k.text);
    let item: SqlText | null;
    if (column) {
      if (column.qualifier && column.qualifier !== alias && column.qualifier !== relation) return null;
      item = ident(column.column);
    } else {
      const expression = indexExpression(unwrapped(k.text));
      item = expression ? sql`(${expression})` : null;
    }
    if (!item) return null;
    items.push(mixed && k.desc ? sql`${item} DESC` : item);
  }
  return items;
}

/**
 * EXPLAIN prints an expression sort key in parentheses, "(lower(o.note))": the expression inside them when that
 * is one expression by the parser ("(a) + (b)" is not wrapped as a whole, and quoted names may hold parentheses).
 */
function unwrapped(text: string): string {
  if (!text.startsWith("(") || !text.endsWith(")")) return text;
  const inner = text.slice(1, -1);
  return indexExpression(inner) ? inner : text;
}
