import type { Command } from "commander";
import type { StorageKind, WorkloadKind } from "../../advisors/settings/pgtune-baseline.js";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { emitReport, FORMATS, type OutputOptions } from "../output.js";

interface TuneFlags extends ConnectionFlags, OutputOptions {
  ram?: string;
  cpus?: string;
  storage: string;
  workload: string;
  connections?: string;
  snapshot?: string;
}

const WORKLOADS = ["web", "oltp", "dw", "mixed", "desktop"] as const;

export function registerTune(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("tune")
    .summary("recommend server settings for the machine, adjusted to what the database shows")
    .description(
      "Recommend postgresql.conf settings: PGTune's formulas for the machine as the baseline, adjusted on a live database (or snapshot) for spilling statements, forced checkpoints, database size and autovacuum lag. Prints ALTER SYSTEM lines with reasons, what needs a restart, and the current values. Changes nothing.",
    )
    .option("--ram <size>", "the server's RAM, e.g. 16GB (required)")
    .option("--cpus <n>", "CPU cores (parallelism settings need it)")
    .option("--storage <kind>", "ssd, hdd or san", "ssd")
    .option("--workload <kind>", "web, oltp, dw, mixed or desktop", "oltp")
    .option(
      "--connections <n>",
      "connections needed (default: the server's max_connections, else PGTune's for the workload)",
    )
    .option("--snapshot <file>", "adjust from a snapshot file instead of a live database");
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async (flags: TuneFlags) => {
    if (flags.ram === undefined)
      throw new InputError(
        "--ram is required",
        "SQL cannot read the machine's memory: pass it, e.g. --ram 16GB",
      );
    const checked = await parseOptions("tune", { ...flags }, (k) => ({
      ram: k.size("--ram", 64 * 1024 ** 2),
      cpus: k.wholeNumber("--cpus", 1, 4096).optional(),
      storage: k.oneOf("--storage", ["ssd", "hdd", "san"] as const),
      workload: k.oneOf("--workload", WORKLOADS),
      connections: k.wholeNumber("--connections", 1, 262_143).optional(),
      snapshot: k.inputFile("--snapshot").optional(),
      ...connectionChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    const { readSnapshot } = await import("../../facts/snapshot-file.js");
    const { tuneSettings } = await import("../../pipeline/tune-settings.js");
    const machine = {
      ramBytes: checked.ram,
      cpus: checked.cpus ?? null,
      storage: checked.storage as StorageKind,
      workload: checked.workload as WorkloadKind,
      connections: checked.connections ?? null,
    };
    const live = flags.db || process.env.DATABASE_URL || process.env.PGHOST || process.env.PGDATABASE;
    const report = flags.snapshot
      ? await tuneSettings(machine, { snapshot: await readSnapshot(flags.snapshot), source: flags.snapshot })
      : live
        ? await withConnection(flags, (db) => tuneSettings(machine, { db }))
        : await tuneSettings(machine, null);
    setExitCode(await emitReport(report, flags));
  });
}
