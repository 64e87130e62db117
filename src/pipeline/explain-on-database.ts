import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { genericPlan, planOf } from "../facts/plan/explain-runner.js";
import type { Plan } from "../facts/plan/plan-model.js";
import { explainableStatement } from "../facts/sql/statement-kind.js";
import { InputError } from "../util/input-error.js";

export interface ExplainOptions {
  /** Run the statement (EXPLAIN ANALYZE, BUFFERS); a data-changing one runs in a transaction that is rolled back. */
  analyze: boolean;
}

export interface ExplainRun {
  plan: Plan;
  /** "analyze", "estimate", "generic" (EXPLAIN GENERIC_PLAN) or "prepared-generic" (PREPARE + force_generic_plan). */
  method: "analyze" | "estimate" | "generic" | "prepared-generic";
  rolledBack: boolean;
}

/** Ask the database for the plan of one statement, never leaving a change behind. */
export async function explainOnDatabase(
  db: PostgresConnector,
  sql: string,
  options: ExplainOptions,
): Promise<ExplainRun> {
  const statement = explainableStatement(sql);
  const caps = await db.capabilities();
  const body = sql.trim().replace(/;\s*$/, "");
  if (statement.parameters > 0) {
    if (options.analyze) {
      throw new InputError(
        `the statement has $${statement.parameters} parameters, so it cannot run with --analyze`,
        "put literal values in place of $1, $2, ... or drop --analyze to get the generic plan",
      );
    }
    return {
      plan: await genericPlan(db, body, statement.parameters, caps.major),
      method: caps.major >= 16 ? "generic" : "prepared-generic",
      rolledBack: false,
    };
  }
  if (!options.analyze) {
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON, SETTINGS) ${body}`);
    return { plan: planOf(row), method: "estimate", rolledBack: false };
  }
  const explain = `EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) ${body}`;
  // track_io_timing shows where reads wait; only superusers may turn it on for a session.
  const run = async () => {
    if (caps.isSuperuser) await db.query("SET LOCAL track_io_timing = on");
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(explain);
    return planOf(row);
  };
  const plan = statement.writes ? await db.inRolledBackTransaction(run) : await db.inReadOnlySnapshot(run);
  return { plan, method: "analyze", rolledBack: statement.writes };
}
