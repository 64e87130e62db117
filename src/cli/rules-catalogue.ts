/** The rule catalogue as text: a table for people, Markdown for the README. */

import { allRules, MYSQL_MIGRATION_RULES, MYSQL_RULES } from "../rules/registry.js";
import type { RuleOption } from "../rules/rule.js";

function optionsText(options: Record<string, RuleOption>): string {
  return Object.entries(options)
    .map(([name, o]) => `${name}=${o.default}`)
    .join(", ");
}

/** PostgreSQL's rules and the MySQL/MariaDB ones (`mysql/...`, run by `dbopt check` on a mysql:// target), by id. */
function listedRules() {
  return [...allRules(), ...MYSQL_RULES, ...MYSQL_MIGRATION_RULES].sort((a, b) => a.id.localeCompare(b.id));
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
