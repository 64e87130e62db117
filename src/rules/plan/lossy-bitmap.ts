import { nodeLabel } from "../../facts/plan/node-label.js";
import { setSession } from "../../findings/fix-sql.js";
import { formatCount, round3, roundMemorySetting } from "../../util/format.js";
import type { Rule } from "../rule.js";
import {
  nodeFindings,
  nodeImpact,
  nodeShare,
  type PlanFacts,
  settingOf,
  severityFromImpact,
} from "./plan-facts.js";

type Options = { minLossyBlocks: number };

/** One bitmap page entry takes about 64 bytes (tidbitmap.c: PagetableEntry plus hash overhead). */
const BYTES_PER_PAGE = 64;

/** A bitmap that outgrew work_mem and degraded to whole pages, so every row on them had to be rechecked. */
export const lossyBitmap: Rule<PlanFacts, Options> = {
  id: "plan/lossy-bitmap",
  family: "plan",
  title: "Bitmap heap scan went lossy",
  description:
    "The bitmap of matching rows did not fit in work_mem, so it kept only page numbers and every row on those pages was rechecked against the condition.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
  options: { minLossyBlocks: { default: 1, description: "lossy heap blocks from which a scan is reported" } },
  check(facts, o) {
    const { analyzed } = facts;
    return nodeFindings(analyzed, (node, m, id) => {
      const lossy = Number(node.props["Lossy Heap Blocks"] ?? 0);
      if (!m || node.nodeType !== "Bitmap Heap Scan" || lossy < o.minLossyBlocks) return null;
      const exact = Number(node.props["Exact Heap Blocks"] ?? 0);
      const workMem = roundMemorySetting((exact + lossy) * BYTES_PER_PAGE);
      return {
        ruleId: this.id,
        severity: severityFromImpact(nodeShare(m), m.exclusiveMs) === "error" ? "warning" : "info",
        title: `${nodeLabel(node)}: ${formatCount(lossy)} of ${formatCount(exact + lossy)} heap blocks lossy`,
        detail: `The bitmap exceeded work_mem (${settingOf(facts, "work_mem") ?? "4MB by default"}); ${formatCount(m.rowsRemovedByIndexRecheck)} rows were fetched and removed by the recheck.`,
        evidence: {
          lossyBlocks: lossy,
          exactBlocks: exact,
          rowsRemovedByRecheck: m.rowsRemovedByIndexRecheck,
          exclusiveMs: m.exclusiveMs === null ? null : round3(m.exclusiveMs),
          workMem: settingOf(facts, "work_mem"),
        },
        fix: {
          sql: setSession("work_mem", workMem),
          note: `About ${BYTES_PER_PAGE} bytes per heap page keep the bitmap exact: ${workMem} covers ${formatCount(exact + lossy)} pages.`,
        },
        docsUrl: this.docsUrl,
        impact: nodeImpact(m),
        nodeId: id,
      };
    });
  },
};
