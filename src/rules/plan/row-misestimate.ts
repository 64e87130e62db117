import { nodeLabel } from "../../facts/plan/node-label.js";
import type { AnalyzedPlan } from "../../facts/plan/plan-metrics.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { predicatesOfCondition } from "../../facts/sql/predicates.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatCount, formatFactor, formatMs, formatPercent, round3 } from "../../util/format.js";
import { ident, list, qname, type SqlText, schemaQualified, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { inputs, nodeFindings, type PlanFacts, planTable } from "./plan-facts.js";

type Options = { minFactor: number; minParentShare: number };

const CONDITIONS = ["Index Cond", "Recheck Cond", "Filter"] as const;
const BITMAP_SETS = new Set(["BitmapAnd", "BitmapOr"]);
/** Nodes that return their input's rows unchanged (more only when read again, fewer only when stopped early). */
const ROW_KEEPING = new Set(["Sort", "Incremental Sort", "Materialize"]);
const BANDS: Array<[number, Severity]> = [
  [1000, "error"],
  [100, "warning"],
  [10, "info"],
];

/**
 * Where the planner's row estimate is 10×, 100× or 1000× off, at the node where the error starts (not at every
 * node above that inherits it), and only where the node above spends real time: that is where a wrong join or
 * scan choice costs.
 */
export const rowMisestimate: Rule<PlanFacts, Options> = {
  id: "plan/row-misestimate",
  family: "plan",
  title: "Row estimate far from the actual rows",
  description:
    "The planner expected far more or fewer rows than the node produced, so the plan above it (join method, join order, memory) was chosen for the wrong size.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/planner-stats.html",
  options: {
    minFactor: { default: 10, description: "estimate-vs-actual factor from which a node is reported" },
    minParentShare: { default: 0.1, description: "share of the statement's time spent in the node above" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      const parent = analyzed.parents[id];
      // The root's estimate steers no choice above it; bitmap And/Or nodes always report 0 rows.
      if (
        !m?.rowFactor ||
        m.rowFactor < o.minFactor ||
        !node.actual ||
        !parent ||
        BITMAP_SETS.has(node.nodeType)
      )
        return null;
      // Report where the error starts: every input is still estimated well (re-reads are no estimate).
      if (inputs(node).some((c) => misestimated(analyzed, c, o.minFactor))) return null;
      if (m.rowDirection === "over" && stoppedEarly(analyzed, id)) return null;
      // A Sort or Materialize hands on its input's rows, and its input is estimated well (checked above): more
      // rows than that are re-reads (a Merge Join's mark/restore, a rescan), fewer an early stop; never the origin.
      if (ROW_KEEPING.has(node.nodeType)) return null;
      if (m.rowDirection === "under" && rereadByMergeJoin(analyzed, id)) return null;
      if (node.nodeType === "CTE Scan" && cteMisestimated(analyzed, node.relationName, o.minFactor))
        return null;
      const parentMs = analyzed.metrics[parent.id]?.inclusiveMs ?? null;
      const parentShare = parentMs !== null && analyzed.totalMs ? parentMs / analyzed.totalMs : 0;
      if (parentShare < o.minParentShare) return null;
      const band = BANDS.find(([factor]) => (m.rowFactor ?? 0) >= factor) ?? [10, "info"];
      // A wrong estimate under a node that takes little time is worth less than its factor says.
      const severity: Severity = parentShare >= 0.3 ? band[1] : band[1] === "error" ? "warning" : "info";
      const estimated = node.planRows ?? 0;
      const actualRows = node.actual.rows;
      return {
        ruleId: this.id,
        severity,
        title: `${nodeLabel(node)}: estimated ${formatCount(estimated)} rows, got ${formatCount(actualRows)} (${formatFactor(m.rowFactor)} ${m.rowDirection === "under" ? "under" : "over"})`,
        detail:
          `The ${m.rowDirection === "under" ? "underestimate" : "overestimate"} starts at this node; ` +
          `${nodeLabel(parent)} above it was planned for the wrong row count and takes ${formatMs(parentMs)} (${formatPercent(parentShare)} of the statement).`,
        evidence: {
          estimatedRows: estimated,
          actualRows,
          loops: node.actual.loops,
          factor: round3(m.rowFactor),
          direction: m.rowDirection,
          parentNode: nodeLabel(parent),
          parentMs: parentMs === null ? null : round3(parentMs),
        },
        fix: statisticsFix(node, snapshot),
        docsUrl: this.docsUrl,
        impact: parentMs ?? 0,
        nodeId: id,
        ...(node.relationName && node.nodeType !== "Function Scan" && node.nodeType !== "CTE Scan"
          ? { objects: [planTable(snapshot, node)?.object ?? node.relationName] }
          : {}),
      };
    });
  },
};

/**
 * A node under a Limit, or on the inner side of a semi/anti or merge join, may be stopped before it returns all
 * its rows: fewer rows than estimated is then expected, not a misestimate.
 */
function stoppedEarly(analyzed: AnalyzedPlan, id: number): boolean {
  for (let p = analyzed.parents[id]; p; p = analyzed.parents[p.id]) {
    if (p.nodeType === "Limit" || p.nodeType === "Merge Join") return true;
    if (/Semi|Anti/.test(p.details["Join Type"] ?? "")) return true;
    if (p.role === "subplan") return true; // EXISTS and scalar subqueries stop at the first row
  }
  return false;
}

/**
 * A Merge Join reads its inner input again from its mark for every outer row with the same key (mark/restore),
 * and the inner node counts each re-read row again: more rows than estimated there are duplicate keys, not a
 * misestimate. (Below a Sort or Materialize the input ran once; the Sort is skipped as a row-keeping node.)
 */
function rereadByMergeJoin(analyzed: AnalyzedPlan, id: number): boolean {
  const parent = analyzed.parents[id];
  return parent?.nodeType === "Merge Join" && inputs(parent)[1] === analyzed.nodes[id];
}

/** Whether a node's rows are off its estimate by itself or through its inputs, not by being read again. */
function misestimated(analyzed: AnalyzedPlan, node: PlanNode, minFactor: number): boolean {
  const m = analyzed.metrics[node.id];
  if ((m?.rowFactor ?? 1) < minFactor) return false;
  const reread =
    m?.rowDirection === "under" &&
    rereadByMergeJoin(analyzed, node.id) &&
    inputs(node).every((c) => (analyzed.metrics[c.id]?.rowFactor ?? 1) < minFactor);
  return !reread;
}

function cteMisestimated(analyzed: AnalyzedPlan, name: string | null, minFactor: number): boolean {
  const cte = analyzed.nodes.find((n) => n.subplanName === `CTE ${name}`);
  return cte !== undefined && (analyzed.metrics[cte.id]?.rowFactor ?? 1) >= minFactor;
}

/** Functions whose ROWS estimate cannot be changed by users: the built-in ones. */
const SYSTEM_SCHEMAS = new Set(["pg_catalog", "information_schema"]);

function statisticsFix(node: PlanNode, snapshot: PlanFacts["snapshot"]): Finding["fix"] {
  if (node.nodeType === "Function Scan" && node.relationName) {
    const rows = Math.max(1, Math.round(node.actual?.rows ?? 1));
    // A built-in (generate_series, unnest) cannot be altered; without a schema the name may be either.
    if (node.schema === null || SYSTEM_SCHEMAS.has(node.schema)) {
      return {
        note: `PostgreSQL assumes a set-returning function returns 1000 rows unless told otherwise. If ${node.relationName} is your own function, declare its usual row count: ALTER FUNCTION ${ident(node.relationName)}(argument types) ROWS ${rows}; a built-in function's estimate cannot be changed.`,
      };
    }
    return {
      sql: sql`ALTER FUNCTION ${qname(node.schema, node.relationName)} ROWS ${rows};`,
      note: "PostgreSQL assumes a set-returning function returns 1000 rows unless told otherwise. If the function name is overloaded, add its argument types after the name.",
    };
  }
  const table = node.nodeType === "CTE Scan" ? null : planTable(snapshot, node);
  if (!table) {
    return {
      note: "Join and aggregate estimates come from the inputs' statistics: run ANALYZE on the tables involved, and check the estimates of the scans below this node. Correlated join columns across tables are not covered by extended statistics.",
    };
  }
  const names = [
    ...new Set(
      CONDITIONS.flatMap((key) =>
        typeof node.props[key] === "string" ? predicatesOfCondition(node.props[key]) : [],
      )
        .filter(
          (p) =>
            !p.isExpression &&
            (p.qualifier === null || p.qualifier === node.alias || p.qualifier === node.relationName),
        )
        .map((p) => p.column),
    ),
  ];
  const columns: SqlText[] = names.map(ident);
  if (names.length >= 2) {
    const statsName = statisticsName(`${table.name}_${names.join("_")}_stats`);
    // Created in the table's schema, public included: unqualified, it would land in the search_path's first schema.
    return {
      sql: sql`CREATE STATISTICS IF NOT EXISTS ${table.schema ? schemaQualified(table.schema, statsName) : qname(table.schema, statsName)} (dependencies, ndistinct, mcv) ON ${list(columns)} FROM ${table.sql};\nANALYZE ${table.sql};`,
      note: `The planner multiplies the selectivities of ${names.join(" and ")} as if they were independent; extended statistics (PostgreSQL 12+ for mcv) teach it how they correlate.${table.caveat}`,
    };
  }
  if (names.length === 1) {
    return {
      sql: sql`ALTER TABLE ${table.sql} ALTER COLUMN ${columns[0] as SqlText} SET STATISTICS 1000;\nANALYZE ${table.sql};`,
      note: `A larger statistics sample for ${names[0]} gives more most-common values and a finer histogram; if the table changed a lot since the last ANALYZE, ANALYZE alone may be enough.${table.caveat}`,
    };
  }
  return {
    sql: sql`ANALYZE ${table.sql};`,
    note: `The table's statistics look stale: ANALYZE refreshes its row count and column statistics.${table.caveat}`,
  };
}

/** A name of at most 63 bytes (longer ones are cut by the server), cut on a character boundary. */
function statisticsName(wanted: string): string {
  let name = wanted;
  while (Buffer.byteLength(name, "utf8") > 63) name = name.slice(0, -1);
  return name;
}
