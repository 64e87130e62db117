import type { Command } from "commander";
import type { MachineFacts } from "../rules/health/health-facts.js";
import { allRules } from "../rules/registry.js";
import type { RuleOverrides } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";

export interface MachineFlags {
  ram?: string;
  cpus?: string;
  storage?: string;
  set?: string[];
}

export function addMachineOptions(command: Command): Command {
  return command
    .option("--ram <size>", "the server's RAM, e.g. 16GB (SQL cannot read it)")
    .option("--cpus <n>", "the server's CPU cores")
    .option("--storage <kind>", "ssd, hdd or san")
    .option(
      "--set <rule.option=value...>",
      "change a rule's threshold, e.g. health/unused-index.minStatsDays=1",
    );
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** "16GB", "512MB", "1.5TB" → bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?$/i.exec(text.trim());
  if (!m) throw new InputError(`${option} ${text} is not a size`, "write it like 16GB or 512MB");
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] ?? "b").toLowerCase()] ?? 1));
}

export function machineFrom(flags: MachineFlags): MachineFacts {
  const machine: MachineFacts = {};
  if (flags.ram) machine.ramBytes = parseSize(flags.ram, "--ram");
  if (flags.cpus) {
    const cpus = Number(flags.cpus);
    if (!Number.isInteger(cpus) || cpus < 1)
      throw new InputError(`--cpus ${flags.cpus} is not a number of cores`, "write it like --cpus 4");
    machine.cpus = cpus;
  }
  if (flags.storage) {
    if (!["ssd", "hdd", "san"].includes(flags.storage))
      throw new InputError(`--storage ${flags.storage} is not known`, "use ssd, hdd or san");
    machine.storage = flags.storage as MachineFacts["storage"];
  }
  return machine;
}

/** --set health/unused-index.minStatsDays=1 → { "health/unused-index": { minStatsDays: 1 } }, checked against the rules. */
export function overridesFrom(assignments: string[] | undefined): RuleOverrides {
  const out: RuleOverrides = {};
  for (const assignment of assignments ?? []) {
    const m = /^([a-z]+\/[a-z0-9-]+)\.([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(assignment);
    const rule = m ? allRules().find((r) => r.id === m[1]) : undefined;
    if (!m || !rule) {
      throw new InputError(
        `--set ${assignment} names no rule`,
        "write it as rule-id.option=number; `dbopt rules` lists them",
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
