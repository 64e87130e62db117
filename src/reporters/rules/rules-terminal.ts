/** `dbopt rules` for people: each rule's id and title, its description, and its thresholds. */
import type { ListedRule } from "../../pipeline/list-rules.js";

export function renderRulesTerminal(rules: ListedRule[]): string {
  return `${rules
    .map(
      (r) =>
        `${r.id.padEnd(30)} ${r.title}\n${" ".repeat(31)}${r.description}\n${Object.keys(r.options).length ? `${" ".repeat(31)}thresholds: ${thresholds(r)}\n` : ""}`,
    )
    .join("\n")}`;
}

function thresholds(rule: ListedRule): string {
  return Object.entries(rule.options)
    .map(([name, o]) => `${name}=${o.default}`)
    .join(", ");
}
