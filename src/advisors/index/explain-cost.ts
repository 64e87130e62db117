import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { estimatePlan, genericPlan } from "../../facts/plan/explain-runner.js";
import type { Plan } from "../../facts/plan/plan-model.js";
import type { WorkloadQuery } from "./workload-query.js";

/** The plan the statement would get now, with its values bound, or as a generic plan. */
export function planForCost(db: PostgresConnector, query: WorkloadQuery, major: number): Promise<Plan> {
  return query.method === "generic"
    ? genericPlan(db, query.text, query.parameters, major)
    : estimatePlan(db, query.text);
}
