import { nodeLabel } from "../../facts/plan/node-label.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import {
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  planTable,
  severityFromImpact,
} from "./plan-facts.js";

type Options = { minFetchShare: number; minFetches: number };

/** An index-only scan that still visits the table because the visibility map is not up to date. */
export const heapFetches: Rule<PlanFacts, Options> = {
  id: "plan/heap-fetches",
  family: "plan",
  title: "Index-only scan visits the table",
  description:
    "An Index Only Scan had to fetch rows from the table because their pages are not marked all-visible. VACUUM updates the visibility map.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-index-only-scans.html",
  options: {
    minFetchShare: { default: 0.1, description: "heap fetches as a share of rows returned" },
    minFetches: { default: 1000, description: "heap fetches in all" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      const fetches = Number(node.props["Heap Fetches"] ?? 0);
      if (!m || node.nodeType !== "Index Only Scan" || fetches < o.minFetches) return null;
      const rows = Math.max(1, m.totalRows ?? 0);
      if (fetches / rows < o.minFetchShare) return null;
      const table = planTable(snapshot, node);
      if (!table) return null;
      return {
        ruleId: this.id,
        severity: severityFromImpact(nodeShare(m), m.exclusiveMs) === "error" ? "warning" : "info",
        title: `${nodeLabel(node)} made ${formatCount(fetches)} heap fetches for ${formatCount(rows)} rows`,
        detail: `${formatPercent(Math.min(1, fetches / rows))} of the rows needed a visit to the table, so the index-only scan saved little. The table's visibility map is behind: it has not been vacuumed since many rows changed.`,
        evidence: {
          heapFetches: fetches,
          rows,
          fetchShare: round3(fetches / rows),
          table: node.relationName,
        },
        fix: {
          sql: sql`VACUUM (ANALYZE) ${table.sql};`,
          note: `VACUUM cannot run inside a transaction block. For tables that mostly receive inserts, lower autovacuum_vacuum_insert_scale_factor for this table so autovacuum keeps the visibility map current.${table.caveat}`,
        },
        docsUrl: this.docsUrl,
        impact: nodeImpact(m),
        nodeId: id,
        objects: [table.object],
      };
    });
  },
};
