import { nodeLabel } from "../../facts/plan/node-label.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { predicatesOfCondition } from "../../facts/sql/predicates.js";
import { keyItem } from "../../findings/btree-key-order.js";
import type { Finding } from "../../findings/finding.js";
import { setSession } from "../../findings/fix-sql.js";
import { formatCount, formatFactor, formatMs, formatPercent, round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { inputs, nodeFindings, type PlanFacts, planTable, severityFromImpact } from "./plan-facts.js";

type Options = { minLoops: number; minShare: number };

const INDEX_READS = new Set(["Index Scan", "Index Only Scan", "Bitmap Heap Scan"]);

/** A nested loop that runs its inner side thousands of times, usually because the outer side was underestimated. */
export const nestedLoopInner: Rule<PlanFacts, Options> = {
  id: "plan/nested-loop-inner",
  family: "plan",
  title: "Nested loop runs its inner side many times",
  description:
    "A Nested Loop executes its inner input once per outer row. With thousands of outer rows a hash or merge join, or a better index on the inner side, is usually faster.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/planner-optimizer.html",
  options: {
    minLoops: { default: 1000, description: "executions of the inner side" },
    minShare: { default: 0.2, description: "share of the statement's time spent in the inner side" },
  },
  check({ analyzed, snapshot }, o) {
    return nodeFindings(analyzed, (node, _m, id) => {
      if (node.nodeType !== "Nested Loop") return null;
      const [outer, inner] = inputs(node);
      if (!outer || !inner?.actual) return null;
      const runs = innerRuns(inner);
      if (runs.count < o.minLoops) return null;
      const im = analyzed.metrics[inner.id];
      const om = analyzed.metrics[outer.id];
      if (!im || im.inclusiveMs === null || !analyzed.totalMs) return null;
      const share = im.inclusiveMs / analyzed.totalMs;
      if (share < o.minShare) return null;
      const outerUnder = om?.rowDirection === "under" && (om.rowFactor ?? 1) >= 10;
      const seqInner = inner.nodeType === "Seq Scan";
      let fix: Finding["fix"];
      const innerTable = seqInner ? planTable(snapshot, inner) : null;
      if (innerTable) {
        const joinCond = String(inner.props.Filter ?? node.props["Join Filter"] ?? "");
        const keys = predicatesOfCondition(joinCond).filter(
          (p) =>
            (p.qualifier === inner.alias || p.qualifier === inner.relationName || p.qualifier === null) &&
            p.kind === "eq",
        );
        const key = keys[0] ? keyItem(keys[0].column, keys[0].isExpression) : null;
        fix = key
          ? {
              sql: sql`CREATE INDEX CONCURRENTLY ON ${innerTable.sql} (${key});`,
              note: `The inner side scans the whole table once per outer row; an index on the join column turns each loop into a lookup. CONCURRENTLY cannot run inside a transaction block.${innerTable.caveat}`,
            }
          : { note: "The inner side scans a whole table per outer row: index its join column." };
      } else if (outerUnder) {
        fix = {
          sql: sql`${setSession("enable_nestloop", "off")}  -- for this session only, to compare`,
          note: `The planner expected ${formatCount(outer.planRows)} outer rows and got ${formatCount(outer.actual?.rows)}; with the right estimate it would likely hash join. Fix the outer estimate (see the row-misestimate finding), then compare timings with enable_nestloop off.`,
        };
      } else if (runs.via === "Materialize") {
        fix = {
          note: "Each loop re-reads every stored row of the Materialize and tests the join condition on it: with an equality condition a hash or merge join reads each side once (compare with SET enable_nestloop = off in a session); otherwise reduce the rows on either side earlier in the query.",
        };
      } else {
        const lookup = INDEX_READS.has(runs.node.nodeType)
          ? "Each run is an index lookup"
          : `Each run executes ${nodeLabel(runs.node)} again`;
        fix = {
          note: `${lookup}; at this many runs a hash join may win: compare with SET enable_nestloop = off in a session, or reduce the outer rows earlier in the query.`,
        };
      }
      const runMs = analyzed.metrics[runs.node.id]?.inclusiveMs ?? im.inclusiveMs;
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, im.inclusiveMs),
        title:
          runs.via === "Materialize"
            ? `${nodeLabel(node)} re-reads ${nodeLabel(inner)} ${formatCount(runs.count)} times`
            : `${nodeLabel(node)} runs ${nodeLabel(runs.node)} ${formatCount(runs.count)} times`,
        detail:
          `The inner side took ${formatMs(im.inclusiveMs)} in all (${formatPercent(share)} of the statement), ${formatMs(runMs / runs.count)} per ${runs.via === "Materialize" ? "re-read" : "run"}.` +
          (runs.via === "Memoize"
            ? ` Memoize answered ${formatCount(runs.hits)} of its ${formatCount(inner.actual.loops)} loops from its cache (${formatPercent(runs.hits / inner.actual.loops)} hits); ${formatCount(runs.count)} misses ran ${nodeLabel(runs.node)}.`
            : "") +
          (outerUnder ? ` The outer side was underestimated ${formatFactor(om?.rowFactor ?? 1)}.` : ""),
        evidence: {
          loops: runs.count,
          innerLoops: inner.actual.loops,
          ...(runs.via === "Memoize"
            ? {
                cacheHits: runs.hits,
                cacheMisses: runs.count,
                hitRatio: round3(runs.hits / inner.actual.loops),
              }
            : {}),
          innerMs: round3(im.inclusiveMs),
          perLoopMs: round3(runMs / runs.count),
          outerEstimatedRows: outer.planRows,
          outerActualRows: outer.actual?.rows ?? null,
          share: round3(share),
        },
        fix,
        docsUrl: this.docsUrl,
        impact: im.inclusiveMs,
        nodeId: id,
      };
    });
  },
};

interface InnerRuns {
  /** The node that does the work of each run: the inner side, or what a Memoize runs on a cache miss. */
  node: PlanNode;
  /** How often that work happened: the inner side's loops, or a Memoize's cache misses. */
  count: number;
  hits: number;
  via: "Memoize" | "Materialize" | null;
}

/**
 * What the inner side's loops cost in runs. A Memoize runs its input only on a cache miss (PostgreSQL 14+ shows
 * Hits and Misses); a Materialize runs its input once and re-reads the stored rows on every later loop.
 */
function innerRuns(inner: PlanNode): InnerRuns {
  const loops = inner.actual?.loops ?? 0;
  const [below] = inputs(inner);
  if (inner.nodeType === "Memoize" && below) {
    const misses = inner.props["Cache Misses"];
    const count = misses === undefined ? (below.actual?.loops ?? 0) : Number(misses);
    return { node: below, count, hits: Number(inner.props["Cache Hits"] ?? loops - count), via: "Memoize" };
  }
  if (inner.nodeType === "Materialize") return { node: inner, count: loops, hits: 0, via: "Materialize" };
  return { node: inner, count: loops, hits: 0, via: null };
}
