import { nodeLabel } from "../../facts/plan/node-label.js";
import { setSession } from "../../findings/fix-sql.js";
import { formatBytes, formatMs, round3, roundMemorySetting } from "../../util/format.js";
import type { Rule } from "../rule.js";
import {
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  settingOf,
  severityFromImpact,
} from "./plan-facts.js";

type Options = { minBatches: number };

/**
 * A hash join's hash table or a hash aggregate that did not fit in memory (work_mem × hash_mem_multiplier) and
 * was split into batches written to temporary files.
 */
export const hashSpill: Rule<PlanFacts, Options> = {
  id: "plan/hash-spill",
  family: "plan",
  title: "Hash spilled to disk in batches",
  description:
    "A Hash (for a hash join) or a HashAggregate exceeded work_mem × hash_mem_multiplier and processed its input in several batches through temporary files.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-HASH-MEM-MULTIPLIER",
  options: { minBatches: { default: 2, description: "batches from which a hash is reported" } },
  check(facts, o) {
    const { analyzed } = facts;
    return nodeFindings(analyzed, (node, m, id) => {
      if (!m) return null;
      const isHash = node.nodeType === "Hash";
      const batches = Number(
        isHash ? (node.props["Hash Batches"] ?? 1) : (node.props["HashAgg Batches"] ?? 1),
      );
      if (batches < o.minBatches || (!isHash && node.nodeType !== "Aggregate")) return null;
      const memoryKB = Number(node.props["Peak Memory Usage"] ?? 0);
      const diskKB = Number(node.props["Disk Usage"] ?? 0);
      // The whole hash table needs about what each batch held times the number of batches.
      const neededKB = isHash ? memoryKB * batches : memoryKB + diskKB;
      const multiplier = Number(settingOf(facts, "hash_mem_multiplier") ?? 2);
      const workMem = roundMemorySetting((neededKB * 1024) / Math.max(1, multiplier));
      const planned = Number(node.props["Original Hash Batches"] ?? batches);
      const underestimated = isHash && planned < batches;
      // A Hash node's own time is small; the join above it pays for the batching.
      const join = isHash ? analyzed.parents[id] : null;
      const jm = join ? analyzed.metrics[join.id] : null;
      const spentMs = (m.exclusiveMs ?? 0) + (jm?.exclusiveMs ?? 0);
      const share = nodeShare(m) + (jm ? nodeShare(jm) : 0);
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, m.exclusiveMs === null ? null : spentMs),
        title: `${isHash ? `${nodeLabel(join ?? node)}: hash` : nodeLabel(node)} split into ${batches} batches on disk`,
        detail:
          `The hash table needed about ${formatBytes(neededKB * 1024)} and did not fit in work_mem × hash_mem_multiplier, so it was processed in ${batches} batches through temporary files` +
          (underestimated
            ? `; the planner expected ${planned} batch${planned === 1 ? "" : "es"}, so the input was larger than estimated.`
            : ".") +
          (m.exclusiveMs !== null ? ` The hashing and joining took ${formatMs(spentMs)}.` : ""),
        evidence: {
          batches,
          plannedBatches: isHash ? planned : null,
          peakMemoryKB: memoryKB,
          diskKB: diskKB || null,
          neededKB,
          spentMs: m.exclusiveMs === null ? null : round3(spentMs),
          workMem: settingOf(facts, "work_mem"),
          hashMemMultiplier: multiplier,
        },
        fix: {
          sql: setSession("work_mem", workMem),
          note: `With work_mem = '${workMem}' (× hash_mem_multiplier ${multiplier}) the hash fits in one batch. Prefer setting it per session or role.${underestimated ? " Also ANALYZE the hashed table: the batch count was planned for fewer rows." : ""}`,
        },
        docsUrl: this.docsUrl,
        impact: m.exclusiveMs === null ? nodeImpact(m) : spentMs,
        nodeId: id,
      };
    });
  },
};
