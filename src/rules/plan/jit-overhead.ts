import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { PlanFacts } from "./plan-facts.js";

type Options = { minShare: number; minMs: number };

/** JIT compilation that costs a large part of a statement that runs too briefly to profit from it. */
export const jitOverhead: Rule<PlanFacts, Options> = {
  id: "plan/jit-overhead",
  family: "plan",
  title: "JIT compilation takes a large share of the time",
  description:
    "PostgreSQL compiled parts of the query with LLVM because its estimated cost exceeded jit_above_cost, but compiling took a large share of the run time.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/jit-decision.html",
  options: {
    minShare: { default: 0.1, description: "JIT time as a share of execution time" },
    minMs: { default: 10, description: "JIT milliseconds" },
  },
  check({ analyzed }, o) {
    const { plan } = analyzed;
    const jitMs = plan.jit?.timingMs?.Total ?? null;
    if (jitMs === null || !plan.executionMs) return [];
    const share = jitMs / plan.executionMs;
    if (share < o.minShare || jitMs < o.minMs) return [];
    const cost = plan.root.cost?.total ?? null;
    const threshold = cost ? 10 ** Math.ceil(Math.log10(cost * 2)) : 1_000_000;
    const finding: Finding = {
      ruleId: this.id,
      severity: share >= 0.3 ? "warning" : "info",
      title: `JIT took ${formatMs(jitMs)} of ${formatMs(plan.executionMs)} (${formatPercent(share)})`,
      detail: `${plan.jit?.functions ?? 0} functions were compiled (${Object.entries(plan.jit?.options ?? {})
        .filter(([, on]) => on)
        .map(([name]) => name.toLowerCase())
        .join(", ")}) for a plan of estimated cost ${cost ?? "?"}.`,
      evidence: {
        jitMs: round3(jitMs),
        executionMs: plan.executionMs,
        share: round3(share),
        functions: plan.jit?.functions ?? 0,
        planCost: cost,
        optimization: plan.jit?.options.Optimization ?? null,
        inlining: plan.jit?.options.Inlining ?? null,
      },
      fix: {
        sql: alterSystem("jit_above_cost", threshold),
        note: `Raising jit_above_cost above this plan's cost (${cost ?? "?"}) keeps JIT for the long analytical queries it helps; for an OLTP database, SET jit = off is simpler.`,
      },
      docsUrl: this.docsUrl,
      impact: jitMs,
    };
    return [finding];
  },
};
