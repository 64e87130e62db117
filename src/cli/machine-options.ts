import type { Command } from "commander";
import type { MachineFacts } from "../facts/machine-facts.js";
import { InputError } from "../util/input-error.js";
import { parseSize } from "./parse-size.js";

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
