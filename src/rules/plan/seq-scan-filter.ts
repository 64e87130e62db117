import { nodeLabel } from "../../facts/plan/node-label.js";
import { predicatesOfCondition } from "../../facts/sql/predicates.js";
import { distinctValues, keyItem } from "../../findings/btree-key-order.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
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
  topNOrderColumns,
} from "./plan-facts.js";
import { sargableRewriteFor } from "./rewrite-pointer.js";

type Options = { minRemovedShare: number; minRemovedRows: number; minShare: number };

/** A sequential scan that reads a whole table to keep a small part of it: the classic missing index. */
export const seqScanFilter: Rule<PlanFacts, Options> = {
  id: "plan/seq-scan-filter",
  family: "plan",
  title: "Sequential scan discards most rows",
  description:
    "A Seq Scan whose Filter throws away most of the rows it reads. An index on the filtered columns reads only the rows kept.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-intro.html",
  options: {
    minRemovedShare: { default: 0.9, description: "share of rows read that the filter removes" },
    minRemovedRows: { default: 1000, description: "rows removed in all, below which a scan is cheap anyway" },
    minShare: { default: 0.05, description: "share of the statement's time (or cost) spent in the scan" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.nodeType !== "Seq Scan" || typeof node.props.Filter !== "string") return null;
      if (!m || nodeShare(m) < o.minShare) return null;
      const table = findTable(snapshot, node);
      let kept: number;
      let removed: number;
      let estimated = false;
      if (m.totalRows !== null) {
        kept = m.totalRows;
        removed = m.rowsRemovedByFilter;
      } else if (table && node.planRows !== null) {
        // Without ANALYZE: compare the estimate with the table's row count.
        estimated = true;
        kept = node.planRows * m.processes;
        removed = Math.max(0, table.rowsEstimate - kept);
      } else return null;
      const read = kept + removed;
      if (read === 0 || removed < o.minRemovedRows || removed / read < o.minRemovedShare) return null;

      // Only this table's columns: a correlated subquery's filter also compares with the outer query's.
      const predicates = predicatesOfCondition(node.props.Filter).filter(
        (p) => p.qualifier === null || p.qualifier === node.alias || p.qualifier === node.relationName,
      );
      const orderBy = topNOrderColumns(analyzed, id);
      const columns = indexColumns(predicates, orderBy, distinctValues(snapshot, table));
      const relation = planTable(snapshot, node);
      if (!relation) return null;
      const suggestion = columns.length
        ? suggestIndex(relation, columns, tableIndexes(snapshot, table))
        : null;
      // A top-N whose key has an IN list before the ORDER BY: the index returns one ordered run per value.
      const inList = orderBy.length
        ? predicates.find((p) => {
            const item = p.kind === "in" && !p.underOr ? keyItem(p.column, p.isExpression) : null;
            return item !== null && columns.includes(item);
          })
        : undefined;
      const share = nodeShare(m);
      const pattern = trigramPredicate(predicates);
      const trigram = pattern ? trigramIndex(relation, pattern) : null;
      let fix: Finding["fix"];
      if (pattern && trigram && !columns.length) {
        fix = {
          sql: trigram,
          note: `A B-tree cannot serve ${patternWords(pattern)} on ${pattern.column}: it can only seek to a fixed start of the value. A trigram GIN index (the pg_trgm extension, shipped with PostgreSQL's contrib package) finds the rows holding the pattern's three-letter pieces; patterns of fewer than three letters still read the whole index. Build it CONCURRENTLY (outside a transaction block) so writes continue meanwhile.${relation.caveat}`,
        };
      } else if (suggestion?.coveredBy) {
        fix = {
          note: `Index ${suggestion.coveredBy.name} already starts with ${columns.join(", ")} but the planner did not use it: check the statistics (ANALYZE refreshes them) and that the filter compares the column with a value of its own type.${relation.caveat}`,
          sql: sql`ANALYZE ${relation.sql};`,
        };
      } else if (suggestion) {
        fix = {
          sql: suggestion.ddl,
          note: inList
            ? `An index on (${columns.join(", ")}) reads only the matching rows: each value of the IN list on ${inList.column} comes from it in ORDER BY order, so PostgreSQL sorts just those few rows instead of reading the whole table. Build it CONCURRENTLY (outside a transaction block) so writes continue meanwhile.${relation.caveat}`
            : orderBy.length
              ? `An index on (${columns.join(", ")}) finds the matching rows already in ORDER BY order, so the LIMIT stops after the first ones instead of sorting every match. Build it CONCURRENTLY (outside a transaction block) so writes continue meanwhile.${relation.caveat}`
              : `An index on (${columns.join(", ")}) lets PostgreSQL read only the ${estimated ? "estimated " : ""}${formatCount(kept)} matching rows. Build it CONCURRENTLY (outside a transaction block) so writes continue meanwhile.${relation.caveat}`,
        };
      } else {
        fix = {
          note: "The filter cannot use a plain B-tree (OR, a function, or a non-indexable operator): consider an expression index, splitting the OR into a UNION, or a partial index.",
        };
      }
      // A function, arithmetic, cast or coalesce around the column: `dbopt rewrite` may take it off the column.
      const rewrite = sargableRewriteFor(node.props.Filter);
      if (rewrite) fix = { ...fix, note: `${fix?.note ?? ""} ${rewrite.note}`.trim() };
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.exclusiveMs),
        title: estimated
          ? `${nodeLabel(node)} reads all ${formatCount(read)} rows to find an estimated ${formatCount(kept)}`
          : `${nodeLabel(node)} reads ${formatCount(read)} rows to keep ${formatCount(kept)}`,
        detail:
          `The filter ${node.props.Filter} removes ${formatPercent(removed / read, 1)} of the rows the scan reads` +
          (m.exclusiveMs !== null
            ? `, and the scan takes ${formatMs(m.exclusiveMs)} (${formatPercent(share)} of the statement).`
            : ` (estimated from ${relation.name}'s ${formatCount(table?.rowsEstimate)} rows).`),
        evidence: {
          table: relation.name,
          filter: node.props.Filter,
          rowsRead: read,
          rowsKept: kept,
          rowsRemoved: removed,
          removedShare: round3(removed / read),
          exclusiveMs: m.exclusiveMs === null ? null : round3(m.exclusiveMs),
          [m.exclusiveShare !== null ? "timeShare" : "costShare"]: round3(share),
          estimated,
          ...(rewrite ? { rewriteRule: rewrite.ruleId } : {}),
        },
        fix,
        docsUrl: this.docsUrl,
        impact: nodeImpact(m),
        nodeId: id,
        objects: [relation.object],
      };
    });
  },
};
