import { nodeLabel } from "../../facts/plan/node-label.js";
import { predicatesOfCondition } from "../../facts/sql/predicates.js";
import { distinctValues } from "../../findings/btree-key-order.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import {
  indexColumns,
  patternWords,
  suggestIndex,
  trigramIndex,
  trigramPredicate,
} from "./index-suggestion.js";
import {
  findTable,
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  planTable,
  severityFromImpact,
  tableIndexes,
} from "./plan-facts.js";
import { sargableRewriteFor } from "./rewrite-pointer.js";

type Options = { minRemovedShare: number; minRemovedRows: number; minShare: number };

const INDEX_SCANS = new Set(["Index Scan", "Index Only Scan", "Bitmap Heap Scan"]);

/** An index scan that still fetches many rows only to drop them: the index lacks the filtered columns. */
export const indexFilter: Rule<PlanFacts, Options> = {
  id: "plan/index-filter",
  family: "plan",
  title: "Index scan discards most rows it fetches",
  description:
    "An index scan whose Filter (or recheck) removes most of the rows the index returned. Adding the filtered columns to the index lets it return only the rows kept.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-multicolumn.html",
  options: {
    minRemovedShare: { default: 0.5, description: "share of fetched rows removed after the index" },
    minRemovedRows: { default: 1000, description: "rows removed in all" },
    minShare: { default: 0.05, description: "share of the statement's time spent in the scan" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (!m || !INDEX_SCANS.has(node.nodeType) || nodeShare(m) < o.minShare) return null;
      const table = findTable(snapshot, node);
      const ordering = node.nodeType !== "Bitmap Heap Scan" && node.props["Index Cond"] === undefined;
      let kept: number;
      let removed: number;
      if (m.totalRows !== null) {
        // Rechecks of a lossy bitmap are the lossy-bitmap rule's business.
        const lossy = Number(node.props["Lossy Heap Blocks"] ?? 0) > 0;
        kept = m.totalRows;
        removed = m.rowsRemovedByFilter + (lossy ? 0 : m.rowsRemovedByIndexRecheck);
      } else if (ordering && table && node.planRows !== null && typeof node.props.Filter === "string") {
        // Without ANALYZE: an index read only for its order, with no condition, may read the whole table.
        kept = node.planRows * m.processes;
        removed = Math.max(0, table.rowsEstimate - kept);
      } else return null;
      const fetched = kept + removed;
      if (fetched === 0 || removed < o.minRemovedRows || removed / fetched < o.minRemovedShare) return null;

      const indexCond =
        node.nodeType === "Bitmap Heap Scan" ? node.props["Recheck Cond"] : node.props["Index Cond"];
      const filter = node.props.Filter;
      const predicates = [
        ...(typeof indexCond === "string" ? predicatesOfCondition(indexCond) : []),
        ...(typeof filter === "string" ? predicatesOfCondition(filter) : []),
      ].filter(
        (p) => p.qualifier === null || p.qualifier === node.alias || p.qualifier === node.relationName,
      );
      // An index read for its order (ORDER BY ... LIMIT): keep that order after the filter's equality columns.
      const index = tableIndexes(snapshot, table).find((i) => i.name === node.indexName);
      const orderBy =
        ordering && index
          ? index.columns.slice(0, index.keyColumnCount).map((serverItem) => ({ serverItem }))
          : [];
      const columns = indexColumns(predicates, orderBy, distinctValues(snapshot, table));
      const relation = planTable(snapshot, node);
      if (!relation) return null;
      const suggestion =
        columns.length > 1 ? suggestIndex(relation, columns, tableIndexes(snapshot, table)) : null;
      const share = nodeShare(m);
      const pattern = trigramPredicate(predicates);
      const trigram = pattern ? trigramIndex(relation, pattern) : null;
      // A function, arithmetic, cast or coalesce around a filtered column: `dbopt rewrite` may take it off the column.
      const rewrite = typeof filter === "string" ? sargableRewriteFor(filter) : null;
      const fix: Finding["fix"] =
        suggestion && !suggestion.coveredBy
          ? {
              sql: suggestion.ddl,
              note: `An index on (${columns.join(", ")}) applies the filter inside the index, so only matching rows are fetched. Once it is in use, ${node.indexName ?? "the current index"} may become redundant.${relation.caveat}`,
            }
          : pattern && trigram
            ? {
                sql: trigram,
                note: `The filter ${patternWords(pattern)} on ${pattern.column} cannot go into a B-tree: a B-tree only seeks to a fixed start of the value. A trigram GIN index (the pg_trgm extension) serves the pattern; PostgreSQL combines it with ${node.indexName ?? "the current index"} in a BitmapAnd.${relation.caveat}`,
              }
            : {
                note: "Put the filtered columns into the index (after the equality columns), or use a partial index whose WHERE matches the filter.",
              };
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.exclusiveMs),
        title: `${nodeLabel(node)} fetches ${m.totalRows === null ? "up to " : ""}${formatCount(fetched)} rows to keep ${m.totalRows === null ? "an estimated " : ""}${formatCount(kept)}`,
        detail: ordering
          ? `The index is read only for its order, with no condition; the filter ${String(filter)} then throws away ${formatPercent(removed / fetched, 1)} of the rows fetched from the table.`
          : `After the index condition ${indexCond ?? ""}, ${typeof filter === "string" ? `the filter ${filter}` : "the recheck"} removes ${formatPercent(removed / fetched, 1)} of the rows fetched from the table.`,
        evidence: {
          index: node.indexName,
          indexCond: typeof indexCond === "string" ? indexCond : null,
          filter: typeof filter === "string" ? filter : null,
          rowsFetched: fetched,
          rowsKept: kept,
          estimated: m.totalRows === null,
          rowsRemoved: removed,
          exclusiveMs: m.exclusiveMs === null ? null : round3(m.exclusiveMs),
          [m.exclusiveShare !== null ? "timeShare" : "costShare"]: round3(share),
          ...(rewrite ? { rewriteRule: rewrite.ruleId } : {}),
        },
        fix: rewrite && fix ? { ...fix, note: `${fix.note ?? ""} ${rewrite.note}`.trim() } : fix,
        docsUrl: this.docsUrl,
        impact: nodeImpact(m),
        nodeId: id,
        objects: [relation.object],
      };
    });
  },
};
