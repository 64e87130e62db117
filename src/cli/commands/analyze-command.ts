import type { Command } from "commander";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  progressReporter,
  withConnection,
} from "../common-options.js";
import { addMachineOptions, type MachineFlags, machineFrom } from "../machine-options.js";
import { isMysqlUrl, mysqlMachineOptions, refusePostgresOnly } from "../mysql-options.js";
import { connectionChecks, machineChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { emitReport, FORMATS, type OutputOptions, writingTo } from "../output.js";

interface AnalyzeFlags extends ConnectionFlags, OutputOptions, MachineFlags {
  top: string;
  saveSnapshot?: string;
  sandbox?: boolean;
  advice: boolean;
}

export function registerAnalyze(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("analyze")
    .summary("find what makes a database slow: top statements, their plans, the workload")
    .description(
      "Snapshot the database, explain its most time-consuming statements from pg_stat_statements with generic plans, run the health checks, and report every finding ranked by the time it costs.",
    )
    .option("--top <n>", "statements to explain, by total time", "10")
    .option("--save-snapshot <file>", "also write the snapshot used, for offline commands")
    .option("--sandbox", "the database is a copy: index advice may build real indexes (without HypoPG)")
    .option("--no-advice", "skip index advice");
  addConnectionOptions(command);
  addMachineOptions(command);
  addOutputOptions(command);
  command.action(async (flags: AnalyzeFlags) => {
    const checked = await parseOptions("analyze", { ...flags }, (k) => ({
      top: k.wholeNumber("--top", 1, 1000),
      saveSnapshot: k.outputFile("--save-snapshot").optional(),
      ...connectionChecks(k, { mysql: true }),
      ...machineChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    if (isMysqlUrl(flags.db)) {
      // mysql:// and mariadb:// go to the MySQL analyze: performance_schema's digests, their plans, the checks.
      refusePostgresOnly([
        {
          flag: "--sandbox",
          given: Boolean(flags.sandbox),
          instead: "analyze gives no index advice on MySQL/MariaDB; run dbopt advise --sandbox for it",
        },
        ...mysqlMachineOptions(flags),
      ]);
      const { withMysqlConnection, mysqlOverridesFrom } = await import("../mysql-connection.js");
      const { analyzeMysqlDatabase } = await import("../../pipeline/analyze-mysql.js");
      const options = {
        top: checked.top,
        machine: machineFrom(flags),
        overrides: await mysqlOverridesFrom(flags.set),
        onProgress: progressReporter(),
      };
      const { report, facts } = await withMysqlConnection(flags, (db) => analyzeMysqlDatabase(db, options));
      const saveTo = checked.saveSnapshot;
      if (saveTo) {
        const { writeMysqlFacts } = await import("../../facts/collect-mysql/mysql-facts-file.js");
        await writingTo(saveTo, "the snapshot", "choose another path with --save-snapshot", () =>
          writeMysqlFacts(saveTo, facts),
        );
      }
      setExitCode(await emitReport(report, flags));
      return;
    }
    const { overridesFrom } = await import("../rule-overrides.js");
    const { writeSnapshot } = await import("../../facts/snapshot-file.js");
    const { analyzeDatabase } = await import("../../pipeline/analyze-database.js");
    const machine = machineFrom(flags);
    const overrides = overridesFrom(flags.set);
    const { report, snapshot } = await withConnection(flags, (db) =>
      analyzeDatabase(db, {
        top: checked.top,
        machine,
        overrides,
        advise: flags.advice === false ? "off" : flags.sandbox ? "sandbox" : "auto",
        onProgress: progressReporter(),
      }),
    );
    const saveTo = checked.saveSnapshot;
    if (saveTo)
      await writingTo(saveTo, "the snapshot", "choose another path with --save-snapshot", () =>
        writeSnapshot(saveTo, snapshot),
      );
    setExitCode(await emitReport(report, flags));
  });
}
