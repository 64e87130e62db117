import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { type PlanFacts, severityFromImpact } from "./plan-facts.js";

type Options = { minScans: number; minRemovedShare: number };

/**
 * A materialized CTE read many times, or read through a filter that throws most of it away: the predicate
 * could have been applied inside the CTE had it not been materialized.
 */
export const cteRescanned: Rule<PlanFacts, Options> = {
  id: "plan/cte-rescanned",
  family: "plan",
  title: "Materialized CTE scanned many times or mostly filtered",
  description:
    "A CTE that PostgreSQL materialized is scanned many times, or its scans discard most of its rows. Conditions outside a materialized CTE cannot be pushed into it.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-CTE-MATERIALIZATION",
  options: {
    minScans: { default: 10, description: "executions of CTE Scans of one CTE" },
    minRemovedShare: { default: 0.9, description: "share of the CTE's rows a scan's filter removes" },
  },
  check({ analyzed }, o) {
    const findings: Finding[] = [];
    for (const cte of analyzed.nodes.filter((n) => n.subplanName?.startsWith("CTE "))) {
      const name = (cte.subplanName ?? "").slice(4).replace(/^"(.*)"$/, "$1");
      const scans = analyzed.nodes.filter((n) => n.nodeType === "CTE Scan" && n.relationName === name);
      const cm = analyzed.metrics[cte.id];
      const materialized = cm?.totalRows ?? cte.planRows ?? 0;
      const loops = scans.reduce((sum, s) => sum + (s.actual?.loops ?? 0), 0);
      const filtered = scans.filter((s) => {
        const removed = analyzed.metrics[s.id]?.rowsRemovedByFilter ?? 0;
        const kept = analyzed.metrics[s.id]?.totalRows ?? 0;
        return removed > 0 && removed / Math.max(1, removed + kept) >= o.minRemovedShare;
      });
      if (loops < o.minScans && filtered.length === 0) continue;
      const cteMs = cm?.inclusiveMs ?? null;
      const share =
        cteMs !== null && analyzed.totalMs ? cteMs / analyzed.totalMs : (cm?.exclusiveCostShare ?? 0);
      const filter = filtered[0]?.props.Filter;
      findings.push({
        ruleId: this.id,
        severity: severityFromImpact(share, cteMs) === "error" ? "warning" : severityFromImpact(share, cteMs),
        title:
          filtered.length > 0
            ? `CTE ${name} materializes ${formatCount(materialized)} rows, then a scan keeps almost none`
            : `CTE ${name} is scanned ${formatCount(loops)} times`,
        detail:
          `Computing the CTE took ${formatMs(cteMs)}; it has ${scans.length} CTE Scan${scans.length === 1 ? "" : "s"} run ${formatCount(loops)} times.` +
          (filter ? ` The filter ${filter} is applied after materializing every row.` : ""),
        evidence: {
          cte: name,
          rowsMaterialized: materialized,
          scanNodes: scans.length,
          scanExecutions: loops,
          cteMs: cteMs === null ? null : round3(cteMs),
          filter: typeof filter === "string" ? filter : null,
          ...(filtered.length > 0 ? { rewriteRule: "rewrite/cte-materialized" } : {}),
        },
        fix: {
          note:
            filtered.length > 0
              ? `Write WITH ${name} AS NOT MATERIALIZED (...) (PostgreSQL 12+) or move the condition into the CTE, so it is applied before the rows are produced. \`dbopt rewrite\` (rule rewrite/cte-materialized) writes NOT MATERIALIZED when every reference to the CTE is filtered, and proves it on your data.`
              : `Join the CTE once instead of scanning it per row (a correlated reference), or turn it into a temporary table with an index if it is reused this much.`,
        },
        docsUrl: this.docsUrl,
        impact: cteMs ?? share,
        nodeId: cte.id,
      });
    }
    return findings;
  },
};
