/** `dbopt rules --format markdown`: the rule table README.md holds between its rules markers. */
import type { ListedRule } from "../../pipeline/list-rules.js";

export function renderRulesMarkdown(rules: ListedRule[]): string {
  const rows = rules.map((r) => {
    const thresholds = Object.entries(r.options)
      .map(([name, o]) => `\`${name}\` = ${o.default} (${o.description})`)
      .join("; ");
    return `| \`${r.id}\` | ${r.description} | ${thresholds || "—"} |`;
  });
  return `| rule | what it finds | thresholds (defaults) |\n|---|---|---|\n${rows.join("\n")}\n`;
}
