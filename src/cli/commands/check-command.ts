import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { addMachineOptions, type MachineFlags, machineFrom } from "../machine-options.js";
import { isMysqlUrl, mysqlMachineOptions, refusePostgresOnly } from "../mysql-options.js";
import { connectionChecks, machineChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { emitReport, FORMATS, type OutputOptions } from "../output.js";

interface CheckFlags extends ConnectionFlags, OutputOptions, MachineFlags {
  snapshot?: string;
  exact?: boolean;
}

export function registerCheck(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("check")
    .summary("health checks: indexes, tables, vacuum, activity, settings")
    .description(
      "Check a database's health, read-only: duplicate, redundant, unused, invalid and bloated indexes; tables without keys, unindexed foreign keys, sequences near their limit; vacuum, wraparound and statistics; long queries, blocking, connections, replication; cache, temp files, checkpoints and settings. Each finding carries its evidence and fix SQL.",
    )
    .option("--snapshot <file>", "check a snapshot file from `dbopt snapshot` instead of a live database")
    .option(
      "--exact",
      "measure bloat with pgstattuple instead of estimating it (reads tables and indexes of 10 MB or more)",
    );
  addConnectionOptions(command);
  addMachineOptions(command);
  addOutputOptions(command);
  command.action(async (flags: CheckFlags) => {
    await parseOptions("check", { ...flags }, (k) => ({
      snapshot: k.inputFile("--snapshot").optional(),
      ...connectionChecks(k, { mysql: true }),
      ...machineChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    if (flags.snapshot && flags.db)
      throw new InputError(
        "--snapshot and --db both name what to check",
        "give one: --snapshot FILE reads a snapshot file, --db URL the live database",
      );
    // mysql:// and mariadb:// (or a MySQL snapshot) go to the MySQL pipeline: its own facts and rules, the same report.
    const mysqlFacts = flags.snapshot
      ? await (await import("../../facts/collect-mysql/mysql-facts-file.js")).readMysqlFactsIfAny(
          flags.snapshot,
        )
      : null;
    if (mysqlFacts || (!flags.snapshot && isMysqlUrl(flags.db))) {
      refusePostgresOnly([
        {
          flag: "--exact",
          given: Boolean(flags.exact),
          instead:
            "it measures PostgreSQL bloat with pgstattuple; InnoDB's free space is in information_schema.TABLES.DATA_FREE",
        },
        ...mysqlMachineOptions(flags),
      ]);
      const { withMysqlConnection, mysqlOverridesFrom } = await import("../mysql-connection.js");
      const { checkMysqlDatabase, checkMysqlFacts } = await import("../../pipeline/check-mysql.js");
      const options = { machine: machineFrom(flags), overrides: await mysqlOverridesFrom(flags.set) };
      const report =
        mysqlFacts && flags.snapshot
          ? checkMysqlFacts(mysqlFacts, flags.snapshot, options)
          : (await withMysqlConnection(flags, (db) => checkMysqlDatabase(db, options))).report;
      setExitCode(await emitReport(report, flags));
      return;
    }
    const { overridesFrom } = await import("../rule-overrides.js");
    const { readSnapshot } = await import("../../facts/snapshot-file.js");
    const { checkDatabase, checkSnapshot } = await import("../../pipeline/check-database.js");
    const options = {
      machine: machineFrom(flags),
      overrides: overridesFrom(flags.set),
      exact: Boolean(flags.exact),
    };
    const report = flags.snapshot
      ? checkSnapshot(await readSnapshot(flags.snapshot), flags.snapshot, options)
      : (await withConnection(flags, (db) => checkDatabase(db, options))).report;
    setExitCode(await emitReport(report, flags));
  });
}
