import { Command, CommanderError } from "commander";
import { loadSqlParser } from "../util/sql-parser.js";
import { DBOPT_VERSION } from "../version.js";
import { describeError } from "./cli-error.js";
import { registerAdvise } from "./commands/advise-command.js";
import { registerAnalyze } from "./commands/analyze-command.js";
import { registerBench } from "./commands/bench-command.js";
import { registerCheck } from "./commands/check-command.js";
import { registerCollect } from "./commands/collect-command.js";
import { registerDemo } from "./commands/demo-command.js";
import { registerDiff } from "./commands/diff-command.js";
import { registerExplain } from "./commands/explain-command.js";
import { registerLogs } from "./commands/logs-command.js";
import { registerMigrate } from "./commands/migrate-command.js";
import { registerRegressions } from "./commands/regressions-command.js";
import { registerRewrite } from "./commands/rewrite-command.js";
import { registerRules } from "./commands/rules-command.js";
import { registerServe } from "./commands/serve-command.js";
import { registerSnapshot } from "./commands/snapshot-command.js";
import { registerStore } from "./commands/store-command.js";
import { registerTraces } from "./commands/traces-command.js";
import { registerTune } from "./commands/tune-command.js";
import { EXIT } from "./exit-codes.js";

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command("dbopt")
    .description("Find why a PostgreSQL database is slow, prove it with numbers, and get the exact fix.")
    .version(DBOPT_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerExplain(program, setExitCode);
  registerAnalyze(program, setExitCode);
  registerCheck(program, setExitCode);
  registerAdvise(program, setExitCode);
  registerTune(program, setExitCode);
  registerSnapshot(program);
  registerCollect(program, setExitCode);
  registerRegressions(program, setExitCode);
  registerDiff(program, setExitCode);
  registerStore(program);
  registerServe(program);
  registerLogs(program, setExitCode);
  registerTraces(program, setExitCode);
  registerMigrate(program, setExitCode);
  registerDemo(program, setExitCode);
  registerRewrite(program, setExitCode);
  registerBench(program);
  registerRules(program);
  // Subcommands of subcommands (migrate lint) report their errors the same way.
  // A parse error names the command, so its one line can point at that command's --help.
  const quiet = (command: Command, path: string) => {
    command
      .exitOverride((error) => {
        throw Object.assign(error, { commandPath: path });
      })
      .configureOutput({ outputError: () => {} });
    for (const sub of command.commands) quiet(sub, `${path} ${sub.name()}`);
  };
  for (const command of program.commands) quiet(command, command.name());

  try {
    await loadSqlParser();
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError && (error.exitCode === 0 || error.code === "commander.helpDisplayed"))
      return EXIT.ok;
    // No command (`dbopt`, `dbopt migrate`): commander printed the help to standard error, which says it all.
    if (error instanceof CommanderError && error.code === "commander.help") return EXIT.usage;
    // A signal stopped the embedded server (Ctrl-C in dbopt demo): its errors are not the user's to read.
    const interrupted = (globalThis as Record<symbol, unknown>)[Symbol.for("dbopt.embedded.interrupted")];
    if (interrupted) return interrupted === "SIGINT" ? 130 : interrupted === "SIGTERM" ? 143 : 129;
    const { line, code } = describeError(error);
    process.stderr.write(`dbopt: ${line}\n`);
    if (argv.includes("--debug"))
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return code;
  }
}
