import type { PlanDialect } from "../facts/plan/mysql-plan-node.js";
import type { Finding, Severity } from "../findings/finding.js";

export type RuleFamily =
  | "plan"
  | "health"
  | "query"
  | "migration"
  | "config"
  | "workload"
  | "history"
  | "architecture";

/** A threshold a user can change: --set rule-id.option=value. */
export interface RuleOption {
  default: number;
  description: string;
}

export interface Rule<Facts, Options extends Record<string, number> = Record<string, number>> {
  /** "plan/seq-scan-filter": family, slash, kebab-case name. */
  id: string;
  family: RuleFamily;
  /** Heading the check report groups it under: indexes, tables, maintenance, activity, workload, settings. */
  group?: string;
  title: string;
  /** What the rule looks for and why it matters, one or two sentences (used in docs and --list-rules). */
  description: string;
  /** The most severe level it reports; each finding picks its own from its impact. */
  maxSeverity: Severity;
  docsUrl: string;
  options: { [K in keyof Options]: RuleOption };
  /** Plan rules: the plan dialects the rule reads; absent means PostgreSQL's only (checked once, in registry.ts). */
  dialects?: readonly PlanDialect[];
  check(facts: Facts, options: Options): Finding[];
}

/** The rule's thresholds at their defaults, typed as the rule's own options. */
// biome-ignore lint/suspicious/noExplicitAny: accepts any rule; the result takes that rule's option type
export function defaultOptions<R extends Rule<any, any>>(rule: R): Parameters<R["check"]>[1] {
  return Object.fromEntries(Object.entries(rule.options).map(([k, v]) => [k, (v as RuleOption).default]));
}
