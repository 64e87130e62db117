import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import { missingInputs } from "../facts/plan/plan-completeness.js";
import { parsePlan } from "../facts/plan/plan-input.js";
import type { Plan } from "../facts/plan/plan-model.js";
import type { Snapshot } from "../facts/snapshot.js";
import { looksLikeSql } from "../facts/sql/statement-kind.js";
import { InputError } from "../util/input-error.js";
import { type ExplainOptions, explainOnDatabase } from "./explain-on-database.js";
import { type PlanReport, reportOnPlan } from "./plan-report.js";

/**
 * `dbopt explain` on a plan someone pasted or saved: read it (text or JSON, psql's frames and all), then the plan
 * rules. `index` picks one plan from an input that holds several (1 is the first).
 */
export function explainPlanText(
  text: string,
  options: { source: string; snapshot?: Snapshot | null; index?: number | undefined },
): PlanReport {
  let plan: Plan;
  try {
    plan = parsePlan(text, { index: options.index });
  } catch (error) {
    // The commonest mistake: a statement where a plan was expected.
    if (error instanceof InputError && looksLikeSql(text))
      throw new InputError(
        "the input is SQL, not a plan",
        "pass it with --sql (or as a .sql file) together with --db",
      );
    throw error;
  }
  // A text plan cut short still parses; its last nodes would take their missing inputs' time as their own.
  const missing =
    plan.dialect === undefined || plan.dialect === "postgresql" ? missingInputs(plan.root) : null;
  if (missing)
    throw new InputError(
      `the plan looks cut off: ${missing}`,
      "paste the whole EXPLAIN output, every line of the tree",
    );
  return reportOnPlan(plan, { source: options.source, snapshot: options.snapshot ?? null });
}

/**
 * `dbopt explain --sql` on a database: EXPLAIN (or EXPLAIN ANALYZE, rolled back when it writes, or the generic plan
 * for a statement with $n), then the plan rules with the schema's facts (a snapshot file's, else the live schema).
 */
export async function explainStatementOnDatabase(
  db: PostgresConnector,
  sql: string,
  options: ExplainOptions & { snapshot?: Snapshot | null },
): Promise<PlanReport> {
  const snapshot = options.snapshot ?? (await collectSnapshot(db, { statementLimit: 0 }));
  const run = await explainOnDatabase(db, sql, options);
  const how =
    run.method === "analyze"
      ? run.rolledBack
        ? "EXPLAIN ANALYZE, rolled back"
        : "EXPLAIN ANALYZE"
      : run.method === "estimate"
        ? "EXPLAIN"
        : "generic plan";
  const report = reportOnPlan(run.plan, { source: `${db.target.display} (${how})`, sql, snapshot });
  return run.sideEffects.length ? { ...report, notes: run.sideEffects } : report;
}
