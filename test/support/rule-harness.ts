import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineFacts } from "../../src/facts/machine-facts.js";
import { parsePlan } from "../../src/facts/plan/plan-input.js";
import { analyzePlan } from "../../src/facts/plan/plan-metrics.js";
import { type Snapshot, SnapshotSchema, type StatementFacts } from "../../src/facts/snapshot.js";
import type { Finding } from "../../src/findings/finding.js";
import type { HealthFacts } from "../../src/rules/health/health-facts.js";
import type { PlanFacts } from "../../src/rules/plan/plan-facts.js";
import { defaultOptions, type Rule } from "../../src/rules/rule.js";
import { FIXTURES, loadPlan, type PlanVersion } from "./fixtures.js";

/** The schema the plan fixtures ran on, captured with them (test/fixtures/snapshots). */
export function captureSnapshot(version: PlanVersion): Snapshot {
  return SnapshotSchema.parse(
    JSON.parse(readFileSync(join(FIXTURES, "snapshots", `${version}-capture.json`), "utf8")),
  );
}

/** Run one plan rule with its default thresholds on a captured plan. */
export function planRuleFindings(
  // biome-ignore lint/suspicious/noExplicitAny: any rule's options
  rule: Rule<PlanFacts, any>,
  version: PlanVersion,
  name: string,
  extra: {
    snapshot?: boolean;
    statement?: StatementFacts;
    options?: Record<string, number>;
    format?: "txt" | "json";
  } = {},
): Finding[] {
  const analyzed = analyzePlan(loadPlan(version, name, extra.format ?? "json"));
  const facts: PlanFacts = {
    analyzed,
    snapshot: extra.snapshot ? captureSnapshot(version) : null,
    statement: extra.statement ?? null,
  };
  return rule.check(facts, { ...defaultOptions(rule), ...extra.options });
}

/** Run one plan rule on a plan given as text. */
export function planTextFindings(
  // biome-ignore lint/suspicious/noExplicitAny: any rule's options
  rule: Rule<PlanFacts, any>,
  text: string,
  snapshot: Snapshot | null = null,
  statement: StatementFacts | null = null,
): Finding[] {
  return rule.check({ analyzed: analyzePlan(parsePlan(text)), snapshot, statement }, defaultOptions(rule));
}

/** A snapshot with a pg_stat_statements workload captured after an N+1 loop and a spilling report. */
export function workloadSnapshot(version: PlanVersion): Snapshot {
  return SnapshotSchema.parse(
    JSON.parse(readFileSync(join(FIXTURES, "snapshots", `${version}-workload.json`), "utf8")),
  );
}

/** The snapshot of a database with one of each health problem (test/fixtures/health/capture-health.ts). */
export function healthSnapshot(version: PlanVersion): Snapshot {
  return SnapshotSchema.parse(
    JSON.parse(readFileSync(join(FIXTURES, "snapshots", `health-${version}.json`), "utf8")),
  );
}

/** Run one health rule on the captured health snapshot, with some thresholds changed. */
export function healthFindings(
  // biome-ignore lint/suspicious/noExplicitAny: any rule's options
  rule: Rule<HealthFacts, any>,
  version: PlanVersion,
  extra: { options?: Record<string, number>; machine?: MachineFacts; snapshot?: Snapshot } = {},
): Finding[] {
  const snapshot = extra.snapshot ?? healthSnapshot(version);
  return rule.check(
    { snapshot, ...(extra.machine ? { machine: extra.machine } : {}) },
    { ...defaultOptions(rule), ...extra.options },
  );
}
