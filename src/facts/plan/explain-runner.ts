import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { parseExplainJson } from "./explain-json-parser.js";
import type { Plan } from "./plan-model.js";

/** The plan PostgreSQL would cache for a prepared statement, without parameter values. */
export async function genericPlan(
  db: PostgresConnector,
  body: string,
  parameters: number,
  major: number,
): Promise<Plan> {
  if (major >= 16) {
    const [row] = await db.query<{ "QUERY PLAN": unknown }>(
      `EXPLAIN (GENERIC_PLAN, FORMAT JSON, SETTINGS) ${body}`,
    );
    return planOf(row);
  }
  // Before 16: prepare with unknown parameter types, force the generic plan, explain EXECUTE with NULLs.
  const name = `dbopt_generic_${Date.now().toString(36)}`;
  try {
    return await db.inReadOnlySnapshot(async () => {
      await db.query(`PREPARE ${name} AS ${body}`);
      await db.query("SET LOCAL plan_cache_mode = force_generic_plan");
      // The server's count, not the caller's: every $n counts, in the WHERE clause or not (date_trunc($1, ...)).
      const [prepared] = await db.query<{ n: number | null }>(
        "select cardinality(parameter_types) as n from pg_prepared_statements where name = $1",
        [name],
      );
      const count = prepared?.n ?? parameters;
      const nulls = Array.from({ length: count }, () => "NULL").join(", ");
      const [row] = await db.query<{ "QUERY PLAN": unknown }>(
        // EXECUTE name() is a syntax error: no parentheses without parameters.
        `EXPLAIN (FORMAT JSON, SETTINGS) EXECUTE ${name}${nulls ? `(${nulls})` : ""}`,
      );
      return planOf(row);
    });
  } finally {
    // PREPARE outlives the transaction; leave the session as we found it.
    await db.query(`DEALLOCATE ${name}`).catch(() => {});
  }
}

export function planOf(row: { "QUERY PLAN": unknown } | undefined): Plan {
  const value = row?.["QUERY PLAN"];
  return parseExplainJson(typeof value === "string" ? value : JSON.stringify(value));
}

/** EXPLAIN (FORMAT JSON) of a statement with no parameters (or with values bound in). */
export async function estimatePlan(db: PostgresConnector, sql: string): Promise<Plan> {
  const [row] = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`);
  return planOf(row);
}
