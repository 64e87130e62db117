import { allRules } from "../rules/registry.js";
import type { Rule } from "../rules/rule.js";
import type { RuleOverrides } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";

/**
 * --set health/unused-index.minStatsDays=1 → { "health/unused-index": { minStatsDays: 1 } }, checked against the
 * rules that will run (the PostgreSQL ones unless told: `dbopt check` on MySQL passes MYSQL_RULES and their name).
 */
export function overridesFrom(
  assignments: string[] | undefined,
  rules: readonly Pick<Rule<never, Record<string, number>>, "id" | "options">[] = allRules(),
  which = "",
): RuleOverrides {
  const out: RuleOverrides = {};
  for (const assignment of assignments ?? []) {
    const m = /^([a-z-]+\/[a-z0-9-]+)\.([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(assignment);
    const rule = m ? rules.find((r) => r.id === m[1]) : undefined;
    if (!m || !rule) {
      throw new InputError(
        `--set ${assignment} names no ${which ? `${which} ` : ""}rule`,
        which
          ? `write it as rule-id.option=number; the ${which} rules are ${rules.map((r) => r.id).join(", ")}`
          : "write it as rule-id.option=number; `dbopt rules` lists them",
      );
    }
    if (!((m[2] as string) in rule.options)) {
      throw new InputError(
        `${m[1]} has no option ${m[2]}`,
        `its options are ${Object.keys(rule.options).join(", ") || "none"}`,
      );
    }
    out[m[1] as string] = { ...out[m[1] as string], [m[2] as string]: Number(m[3]) };
  }
  return out;
}
