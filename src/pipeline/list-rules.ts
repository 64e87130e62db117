/** `dbopt rules`: the catalogue of every rule dbopt runs, with its thresholds at their defaults. */
import { allRules, MYSQL_MIGRATION_RULES, MYSQL_RULES } from "../rules/registry.js";
import { REWRITE_RULES } from "../rules/rewrite/registry.js";
import type { RuleOption } from "../rules/rule.js";

export interface ListedRule {
  id: string;
  title: string;
  description: string;
  /** The rule's thresholds by name; the rewrite rules have none. */
  options: Record<string, RuleOption>;
}

/**
 * PostgreSQL's rules, the MySQL/MariaDB ones (`mysql/...`, run by `dbopt check` on a mysql:// target) and the query
 * rewrite rules (`rewrite/...`, run by `dbopt rewrite`; they have no thresholds), by id.
 */
export function listRules(): ListedRule[] {
  const rewrites = REWRITE_RULES.map((r) => ({ ...r, options: {} as Record<string, RuleOption> }));
  return [...allRules(), ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES, ...rewrites]
    .map((r) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      options: r.options as Record<string, RuleOption>,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
