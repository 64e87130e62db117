import type { Command } from "commander";
import { parseOptions } from "../option-schemas.js";

/** The rule catalogue, as a table for people or Markdown for the README. */
export function registerRules(program: Command): void {
  program
    .command("rules")
    .summary("list every rule with its id, what it finds and its thresholds")
    .option("--format <format>", "terminal or markdown", "terminal")
    .action(async (flags: { format: string }) => {
      await parseOptions("rules", { ...flags }, (k) => ({
        format: k.oneOf("--format", ["terminal", "markdown"]),
      }));
      // Loaded here: every rule's module, which the other commands load only when they run rules.
      const { listRules } = await import("../../pipeline/list-rules.js");
      const rules = listRules();
      if (flags.format === "markdown") {
        const { renderRulesMarkdown } = await import("../../reporters/rules/rules-markdown.js");
        process.stdout.write(renderRulesMarkdown(rules));
      } else {
        const { renderRulesTerminal } = await import("../../reporters/rules/rules-terminal.js");
        process.stdout.write(renderRulesTerminal(rules));
      }
    });
}
