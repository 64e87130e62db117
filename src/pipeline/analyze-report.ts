import type { AdviceReport } from "../advisors/index/advice-report.js";
import type { Plan } from "../facts/plan/plan-model.js";
import type { Finding } from "../findings/finding.js";
import type { PlanSummary } from "./plan-report.js";

export interface StatementReport {
  queryId: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** Share of all statement time pg_stat_statements recorded. */
  share: number;
  planMethod: "generic" | "prepared-generic" | "analyze" | "estimate" | null;
  plan: PlanSummary | null;
  /** The plan itself, for the HTML report's plan picture (its findings carry their node ids). */
  planTree: Plan | null;
  findings: Finding[];
  /** Why no plan could be made (utility statement, error), if so. */
  skipped: string | null;
}

export interface AnalyzeReport {
  kind: "analyze";
  target: string;
  server: { version: string; database: string };
  capturedAt: string;
  workload: {
    source: string;
    statementsSeen: number;
    statementsExplained: number;
    totalMs: number;
    statsResetAt: string | null;
  };
  statements: StatementReport[];
  /**
   * Every finding, one item per fix (merge-findings.ts), ranked (ranking.ts): risks, then what costs statement
   * time by timeMs, then hygiene. Plan findings carry the statement they came from.
   */
  findings: Finding[];
  /** What dbopt could not look at and why. */
  notes: string[];
  /** Index advice for the workload, when HypoPG (or a sandbox) was there to check it. */
  advice: AdviceReport | null;
}
