import { nodeLabel } from "../../facts/plan/node-label.js";
import { formatBytes, formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { inputs, nodeFindings, type PlanFacts, settingOf } from "./plan-facts.js";

type Options = { minShare: number; minBlocks: number };

const BLOCK = 8192;

/** A node that spends much of the statement waiting on reads of pages not in shared buffers. */
export const coldReads: Rule<PlanFacts, Options> = {
  id: "plan/cold-reads",
  family: "plan",
  title: "Time goes into reading pages from disk",
  description:
    "A node read many pages that were not in shared_buffers and the reads took a large share of the time (needs track_io_timing). Reading fewer pages (a better index) or caching more helps.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS",
  options: {
    minShare: { default: 0.3, description: "read time as a share of execution time" },
    minBlocks: { default: 1000, description: "8 kB blocks read by the node itself" },
  },
  check(facts, o) {
    const { analyzed } = facts;
    if (!analyzed.totalMs) return [];
    return nodeFindings(analyzed, (node, m, id) => {
      const blocks = m.exclusiveBuffers?.sharedRead ?? 0;
      if (!node.ioTimings || blocks < o.minBlocks) return null;
      const childMs = inputs(node).reduce((sum, c) => sum + (c.ioTimings?.sharedReadMs ?? 0), 0);
      const readMs = Math.max(0, node.ioTimings.sharedReadMs - childMs);
      const share = readMs / (analyzed.totalMs ?? 1);
      if (share < o.minShare) return null;
      return {
        ruleId: this.id,
        severity: share >= 0.5 ? "warning" : "info",
        title: `${nodeLabel(node)} waited ${formatMs(readMs)} reading ${formatBytes(blocks * BLOCK)} from disk`,
        detail: `${formatPercent(share)} of the statement went into reading ${blocks.toLocaleString("en-US")} blocks that were not in shared_buffers (${settingOf(facts, "shared_buffers") ?? "size unknown"}).`,
        evidence: {
          blocksRead: blocks,
          bytesRead: blocks * BLOCK,
          readMs: round3(readMs),
          share: round3(share),
          sharedBuffers: settingOf(facts, "shared_buffers"),
        },
        fix: {
          note: "Read fewer pages: an index (or a covering or partial one) that reaches only the rows needed. If this data is hot, size shared_buffers (about 25% of RAM) and effective_cache_size, or warm it with pg_prewarm after restarts.",
        },
        docsUrl: this.docsUrl,
        impact: readMs,
        nodeId: id,
      };
    });
  },
};
