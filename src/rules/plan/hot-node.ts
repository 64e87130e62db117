import { nodeLabel } from "../../facts/plan/node-label.js";
import type { Finding } from "../../findings/finding.js";
import { formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { EXPLAIN_DOCS, nodeImpact, nodeShare, type PlanFacts } from "./plan-facts.js";

type Options = { minShare: number; minMs: number; maxNodes: number };

/** What to look at for the usual kinds of hot node. */
const ADVICE: Record<string, string> = {
  "Seq Scan": "A full table scan: an index on the filtered columns, or a partial index, usually removes it.",
  "Index Scan":
    "Many index lookups or a wide range: check the loops and whether a covering index would allow an index-only scan.",
  "Bitmap Heap Scan": "Many heap pages visited: a more selective or covering index visits fewer.",
  Sort: "An index in the ORDER BY's order avoids the sort; otherwise give it more work_mem if it spills.",
  "Incremental Sort": "An index covering the remaining sort keys avoids the sort.",
  "Hash Join": "Check that the smaller input is hashed and that the hash fits in memory (Batches: 1).",
  "Nested Loop": "A nested loop over many outer rows: check the outer estimate and the inner side's index.",
  Aggregate:
    "Aggregating many rows: filter earlier, aggregate in a materialized view, or add an index for GroupAggregate.",
  ModifyTable: "Writing rows: check triggers, foreign keys and indexes maintained on this table.",
};

/** The nodes where most of the time goes: the first place to look in a slow plan. */
export const hotNode: Rule<PlanFacts, Options> = {
  id: "plan/hot-node",
  family: "plan",
  title: "Node takes most of the time",
  description:
    "A node whose own time (without its inputs) is a large share of the statement's execution time.",
  maxSeverity: "warning",
  docsUrl: EXPLAIN_DOCS,
  options: {
    minShare: { default: 0.3, description: "share of execution time spent in the node itself" },
    minMs: { default: 1, description: "milliseconds, below which nothing is worth a finding" },
    maxNodes: { default: 3, description: "hot nodes reported at most" },
  },
  check({ analyzed }, o) {
    const timed =
      analyzed.totalMs !== null && analyzed.metrics.some((m) => m.exclusiveMs !== null && m.exclusiveMs > 0);
    return analyzed.nodes
      .map((node, id) => ({ node, id, m: analyzed.metrics[id] }))
      .filter(({ m }) => m && nodeShare(m) >= o.minShare && (!timed || (m.exclusiveMs ?? 0) >= o.minMs))
      .sort((a, b) => nodeShare(b.m as never) - nodeShare(a.m as never))
      .slice(0, o.maxNodes)
      .map(({ node, id, m }): Finding => {
        const metrics = m as NonNullable<typeof m>;
        const share = nodeShare(metrics);
        const what = timed
          ? `${formatMs(metrics.exclusiveMs)} (${formatPercent(share)} of the time)`
          : `${formatPercent(share)} of the estimated cost`;
        return {
          ruleId: this.id,
          severity: share >= 0.5 && (!timed || (metrics.exclusiveMs ?? 0) >= 100) ? "warning" : "info",
          title: `${nodeLabel(node)} takes ${what}`,
          detail: `This node's own work, without its inputs, is ${what}. ${ADVICE[node.nodeType] ?? "Start here when making the statement faster."}`,
          evidence: {
            node: nodeLabel(node),
            exclusiveMs: metrics.exclusiveMs === null ? null : round3(metrics.exclusiveMs),
            share: round3(share),
            loops: node.actual?.loops ?? null,
            // Over several loops the plan gives an average per loop, rounded (to a whole row before PostgreSQL
            // 18): the total from it is approximate, so it is named so, next to the figure the plan gave.
            ...((node.actual?.loops ?? 1) > 1
              ? { rowsPerLoop: node.actual?.rows ?? null, rowsAbout: metrics.totalRows }
              : { rows: metrics.totalRows }),
          },
          fix: { note: ADVICE[node.nodeType] ?? "See the other findings for this node." },
          docsUrl: this.docsUrl,
          impact: nodeImpact(metrics),
          nodeId: id,
        };
      });
  },
};
