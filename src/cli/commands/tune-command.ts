import type { Command } from "commander";
import type { StorageKind, WorkloadKind } from "../../advisors/settings/pgtune-baseline.js";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { checkFormat, emitReport, type OutputOptions } from "../output.js";
import { parseSize } from "../parse-size.js";

interface TuneFlags extends ConnectionFlags, OutputOptions {
  ram?: string;
  cpus?: string;
  storage: string;
  workload: string;
  connections?: string;
  snapshot?: string;
}

const WORKLOADS = ["web", "oltp", "dw", "mixed", "desktop"];

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
    const { recommendSettings } = await import("../../advisors/settings/settings-advisor.js");
    const { collectSnapshot } = await import("../../facts/collect/collect-snapshot.js");
    const { readSnapshot } = await import("../../facts/snapshot-file.js");
    checkFormat(flags.format);
    if (!flags.ram)
      throw new InputError(
        "--ram is required",
        "SQL cannot read the machine's memory: pass it, e.g. --ram 16GB",
      );
    if (!WORKLOADS.includes(flags.workload))
      throw new InputError(`--workload ${flags.workload} is not known`, `use ${WORKLOADS.join(", ")}`);
    if (!["ssd", "hdd", "san"].includes(flags.storage))
      throw new InputError(`--storage ${flags.storage} is not known`, "use ssd, hdd or san");
    const machine = {
      ramBytes: parseSize(flags.ram, "--ram"),
      cpus: flags.cpus ? Number(flags.cpus) : null,
      storage: flags.storage as StorageKind,
      workload: flags.workload as WorkloadKind,
      connections: flags.connections ? Number(flags.connections) : null,
    };
    const live = flags.db || process.env.DATABASE_URL || process.env.PGHOST || process.env.PGDATABASE;
    let report: ReturnType<typeof recommendSettings>;
    if (flags.snapshot)
      report = recommendSettings(machine, await readSnapshot(flags.snapshot), flags.snapshot);
    else if (live) {
      report = await withConnection(flags, async (db) =>
        recommendSettings(machine, await collectSnapshot(db), db.target.display),
      );
    } else report = recommendSettings(machine, null, null);
    setExitCode(await emitReport(report, flags));
  });
}
