import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { timeShare, type WorkloadRuleFacts } from "./workload-facts.js";

type Options = { minShare: number; minTotalMs: number };

/** One statement taking a large share of all the time the server spends on statements. */
export const heavyStatement: Rule<WorkloadRuleFacts, Options> = {
  id: "workload/heavy-statement",
  family: "workload",
  group: "workload",
  title: "One statement takes a large share of all time",
  description:
    "A statement whose total execution time is a large share of everything pg_stat_statements recorded: making it faster is the quickest win. `dbopt analyze` explains it.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/pgstatstatements.html",
  options: {
    minShare: { default: 0.2, description: "share of all statement time" },
    minTotalMs: { default: 1000, description: "total milliseconds, below which nothing is heavy" },
  },
  check({ snapshot }, o) {
    return snapshot.workload.statements
      .filter((s) => timeShare(snapshot, s) >= o.minShare && s.totalMs >= o.minTotalMs)
      .map((s): Finding => {
        const share = timeShare(snapshot, s);
        return {
          ruleId: this.id,
          severity: share >= 0.5 ? "warning" : "info",
          title: `One statement takes ${formatPercent(share)} of all statement time`,
          detail: `${formatCount(s.calls)} calls, ${formatMs(s.meanMs)} each, ${formatMs(s.totalMs)} in all; ${formatCount(s.sharedBlksRead)} blocks read from outside shared_buffers.`,
          evidence: {
            calls: s.calls,
            meanMs: round3(s.meanMs),
            totalMs: round3(s.totalMs),
            share: round3(share),
            rowsPerCall: round3(s.rows / Math.max(1, s.calls)),
          },
          fix: {
            note: "Run dbopt analyze (or dbopt explain --sql with real parameter values and --analyze) to see where its time goes.",
          },
          docsUrl: this.docsUrl,
          impact: s.totalMs,
          query: s.query,
        };
      });
  },
};
