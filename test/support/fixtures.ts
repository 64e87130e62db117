import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePlan } from "../../src/facts/plan/plan-input.js";
import type { Plan } from "../../src/facts/plan/plan-model.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
export const PLAN_VERSIONS = ["pg15", "pg18"] as const;
export type PlanVersion = (typeof PLAN_VERSIONS)[number];

export function planFixture(version: PlanVersion, file: string): string {
  return readFileSync(join(FIXTURES, "plans", version, file), "utf8");
}

export function loadPlan(version: PlanVersion, name: string, format: "txt" | "json" = "json"): Plan {
  return parsePlan(planFixture(version, `${name}.${format}`));
}

/** Names of the captured cases that have both a .txt and a .json file. */
export function planCases(version: PlanVersion): string[] {
  return readdirSync(join(FIXTURES, "plans", version))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}
