import type { Command } from "commander";
import { allRules } from "../../rules/registry.js";
import type { RuleOption } from "../../rules/rule.js";

/** The rule catalogue, as a table for people or Markdown for the README. */
export function registerRules(program: Command): void {
  program
    .command("rules")
    .summary("list every rule with its id, what it finds and its thresholds")
    .option("--format <format>", "terminal or markdown", "terminal")
    .action((flags: { format: string }) => {
      process.stdout.write(flags.format === "markdown" ? rulesMarkdown() : rulesText());
    });
}

function optionsText(options: Record<string, RuleOption>): string {
  return Object.entries(options)
    .map(([name, o]) => `${name}=${o.default}`)
    .join(", ");
}

function rulesText(): string {
  return `${allRules()
    .map(
      (r) =>
        `${r.id.padEnd(30)} ${r.title}\n${" ".repeat(31)}${r.description}\n${Object.keys(r.options).length ? `${" ".repeat(31)}thresholds: ${optionsText(r.options)}\n` : ""}`,
    )
    .join("\n")}`;
}

export function rulesMarkdown(): string {
  const rows = allRules().map((r) => {
    const thresholds = Object.entries(r.options as Record<string, RuleOption>)
      .map(([name, o]) => `\`${name}\` = ${o.default} (${o.description})`)
      .join("; ");
    return `| \`${r.id}\` | ${r.description} | ${thresholds || "—"} |`;
  });
  return `| rule | what it finds | thresholds (defaults) |\n|---|---|---|\n${rows.join("\n")}\n`;
}
