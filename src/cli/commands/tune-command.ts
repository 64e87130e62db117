import type { Command } from "commander";
import type { MysqlFacts } from "../../facts/collect-mysql/mysql-facts.js";
import type { StorageKind, WorkloadKind } from "../../pipeline/tune-settings.js";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { isMysqlUrl, refusePostgresOnly } from "../mysql-options.js";
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
      ...connectionChecks(k, { mysql: true }),
      ...outputChecks(k, FORMATS),
    }));
    if (flags.snapshot && flags.db)
      throw new InputError(
        "--snapshot and --db both name what to adjust the settings to",
        "give one: --snapshot FILE reads a snapshot file, --db URL the live database",
      );
    // mysql:// and mariadb:// (or a MySQL snapshot) go to MySQLTuner's formulas (pipeline/tune-mysql.ts).
    const mysqlFacts = flags.snapshot
      ? await (await import("../../facts/collect-mysql/mysql-facts-file.js")).readMysqlFactsIfAny(
          flags.snapshot,
        )
      : null;
    if (mysqlFacts || (!flags.snapshot && isMysqlUrl(flags.db))) {
      // --storage and --workload have defaults: only the user's own choice is refused.
      const fromUser = (name: string) => command.getOptionValueSource(name) === "cli";
      const instead =
        "MySQLTuner's formulas read the RAM (--ram), the connections (--connections) and the server";
      refusePostgresOnly([
        { flag: "--cpus", given: checked.cpus !== undefined, instead },
        { flag: "--storage", given: fromUser("storage"), instead },
        { flag: "--workload", given: fromUser("workload"), instead },
      ]);
      await tuneMysql(flags, {
        ramBytes: checked.ram,
        connections: checked.connections ?? null,
        facts: mysqlFacts,
      });
      return;
    }
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

/** The MySQL tune, on the live server or on the facts of a MySQL snapshot file. */
async function tuneMysql(
  flags: TuneFlags,
  given: { ramBytes: number; connections: number | null; facts: MysqlFacts | null },
): Promise<void> {
  const [{ withMysqlConnection }, { tuneMysqlDatabase, tuneMysqlFacts, mysqlTuneScript }, output] =
    await Promise.all([
      import("../mysql-connection.js"),
      import("../../pipeline/tune-mysql.js"),
      import("../output.js"),
    ]);
  const machine = {
    ramBytes: given.ramBytes,
    cpus: null,
    storage: flags.storage as StorageKind,
    workload: flags.workload as WorkloadKind,
    connections: given.connections,
  };
  const { facts } = given;
  const { report, flavour } =
    facts && flags.snapshot
      ? { report: tuneMysqlFacts(facts, machine, flags.snapshot), flavour: facts.server.flavour }
      : await withMysqlConnection(flags, async (db) => ({
          report: await tuneMysqlDatabase(db, machine),
          flavour: (await db.capabilities()).flavour,
        }));
  const format = output.checkFormat(flags.format);
  if (format === "json") {
    await output.emitReport(report, flags);
    return;
  }
  if (format === "html") {
    const { renderTuneHtml } = await import("../../reporters/database/tune-html.js");
    const script = mysqlTuneScript(report, flavour);
    await output.writeOutput(renderTuneHtml(report, { script }), flags.output);
    return;
  }
  const { renderMysqlTune } = await import("../../reporters/database/render-mysql-tune.js");
  await output.writeOutput(
    renderMysqlTune(report, mysqlTuneScript(report, flavour), format === "markdown"),
    flags.output,
  );
}
