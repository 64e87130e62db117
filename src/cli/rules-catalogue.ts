/** The rule catalogue as text: a table for people, Markdown for the README. */

import { allRules, MYSQL_MIGRATION_RULES, MYSQL_RULES } from "../rules/registry.js";
import { REWRITE_RULES } from "../rules/rewrite/registry.js";
import type { RuleOption } from "../rules/rule.js";

function optionsText(options: Record<string, RuleOption>): string {
  return Object.entries(options)
    .map(([name, o]) => `${name}=${o.default}`)
    .join(", ");
}

/**
 * PostgreSQL's rules, the MySQL/MariaDB ones (`mysql/...`, run by `dbopt check` on a mysql:// target) and the query
 * rewrite rules (`rewrite/...`, run by `dbopt rewrite`; they have no thresholds), by id.
 */
function listedRules() {
  const rewrites = REWRITE_RULES.map((r) => ({ ...r, options: {} as Record<string, RuleOption> }));
  return [...allRules(), ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES, ...rewrites].sort((a, b) =>
    a.id.localeCompare(b.id),
  );
}

export function rulesText(): string {
  return `${listedRules()
    .map(
      (r) =>
        `${r.id.padEnd(30)} ${r.title}\n${" ".repeat(31)}${r.description}\n${Object.keys(r.options).length ? `${" ".repeat(31)}thresholds: ${optionsText(r.options)}\n` : ""}`,
    )
    .join("\n")}`;
}

export function rulesMarkdown(): string {
  const rows = listedRules().map((r) => {
    const thresholds = Object.entries(r.options as Record<string, RuleOption>)
      .map(([name, o]) => `\`${name}\` = ${o.default} (${o.description})`)
      .join("; ");
    return `| \`${r.id}\` | ${r.description} | ${thresholds || "—"} |`;
  });
  return `| rule | what it finds | thresholds (defaults) |\n|---|---|---|\n${rows.join("\n")}\n`;
}
