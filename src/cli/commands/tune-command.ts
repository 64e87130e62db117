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
    // mysql:// and mariadb:// go to MySQLTuner's formulas (pipeline/tune-mysql.ts).
    if (/^(mysql|mariadb):\/\//i.test(flags.db?.trim() ?? "")) {
      await tuneMysql(flags);
      return;
    }
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

async function tuneMysql(flags: TuneFlags): Promise<void> {
  const [{ parseSize }, { withMysqlConnection }, { tuneMysqlDatabase, mysqlTuneScript }, output] =
    await Promise.all([
      import("../parse-size.js"),
      import("../mysql-connection.js"),
      import("../../pipeline/tune-mysql.js"),
      import("../output.js"),
    ]);
  const connections = flags.connections === undefined ? null : Number(flags.connections);
  if (connections !== null && !(Number.isInteger(connections) && connections > 0))
    throw new InputError(
      `--connections ${flags.connections} is not a number of connections`,
      "write it like --connections 200",
    );
  const machine = {
    ramBytes: parseSize(flags.ram ?? "", "--ram"),
    cpus: flags.cpus ? Number(flags.cpus) : null,
    storage: flags.storage as StorageKind,
    workload: flags.workload as WorkloadKind,
    connections,
  };
  const { report, flavour } = await withMysqlConnection(flags, async (db) => ({
    report: await tuneMysqlDatabase(db, machine),
    flavour: (await db.capabilities()).flavour,
  }));
  const format = output.checkFormat(flags.format);
  if (format === "json") {
    await output.emitReport(report, flags);
    return;
  }
  if (format === "html") {
    const { renderTuneHtml } = await import("../../reporters/html/tune-report-html.js");
    const script = mysqlTuneScript(report, flavour);
    await output.writeOutput(renderTuneHtml(report, { script }), flags.output);
    return;
  }
  const { renderMysqlTune } = await import("../../reporters/mysql-tune-reporter.js");
  await output.writeOutput(
    renderMysqlTune(report, mysqlTuneScript(report, flavour), format === "markdown"),
    flags.output,
  );
}
