import { Command, CommanderError } from "commander";
import { INTERRUPTED, signalExitCode } from "../connectors/signal-cleanup.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { DBOPT_VERSION } from "../version.js";
import { debugDetails, describeError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";
import { cancelStatementsOnInterrupt, whenInterrupted } from "./interrupt-default.js";

type Register = (program: Command, setExitCode: (code: number) => void) => void | Promise<void>;

/** Every command by name and how it registers, in the order help lists them. */
const COMMANDS: Array<[string, Register]> = [
  ["explain", async (p, set) => (await import("./commands/explain-command.js")).registerExplain(p, set)],
  ["analyze", async (p, set) => (await import("./commands/analyze-command.js")).registerAnalyze(p, set)],
  ["check", async (p, set) => (await import("./commands/check-command.js")).registerCheck(p, set)],
  ["advise", async (p, set) => (await import("./commands/advise-command.js")).registerAdvise(p, set)],
  ["tune", async (p, set) => (await import("./commands/tune-command.js")).registerTune(p, set)],
  ["snapshot", async (p) => (await import("./commands/snapshot-command.js")).registerSnapshot(p)],
  ["collect", async (p, set) => (await import("./commands/collect-command.js")).registerCollect(p, set)],
  [
    "regressions",
    async (p, set) => (await import("./commands/regressions-command.js")).registerRegressions(p, set),
  ],
  ["diff", async (p, set) => (await import("./commands/diff-command.js")).registerDiff(p, set)],
  ["store", async (p) => (await import("./commands/store-command.js")).registerStore(p)],
  ["serve", async (p) => (await import("./commands/serve-command.js")).registerServe(p)],
  ["logs", async (p, set) => (await import("./commands/logs-command.js")).registerLogs(p, set)],
  ["traces", async (p, set) => (await import("./commands/traces-command.js")).registerTraces(p, set)],
  ["migrate", async (p, set) => (await import("./commands/migrate-command.js")).registerMigrate(p, set)],
  ["demo", async (p, set) => (await import("./commands/demo-command.js")).registerDemo(p, set)],
  ["rewrite", async (p, set) => (await import("./commands/rewrite-command.js")).registerRewrite(p, set)],
  ["bench", async (p, set) => (await import("./commands/bench-command.js")).registerBench(p, set)],
  ["rules", async (p) => (await import("./commands/rules-command.js")).registerRules(p)],
];

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  cancelStatementsOnInterrupt();
  const program = new Command("dbopt")
    .description("Find why a PostgreSQL database is slow, prove it with numbers, and get the exact fix.")
    .version(DBOPT_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    // Each command reads the options after its own name only: advise's and its subcommands' share names (--verify
    // is a flag on advise, a Redis URL on advise caching). Set before any command is made, which copies it.
    .enablePositionalOptions();
  // The command on the command line alone, when it names one: its module and what it imports, not every
  // command's (a tenth of a second of module loading on each run). All of them for help, suggestions and
  // unknown commands.
  const named = COMMANDS.find(([name]) => name === argv[2]);
  for (const [, register] of named ? [named] : COMMANDS) await register(program, setExitCode);
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
    // Ctrl-C cancelled the statement that failed here: the interrupt's own line says what happened.
    const interruption = whenInterrupted();
    if (interruption) return await interruption;
    // A signal stopped the embedded server (Ctrl-C in dbopt demo): its errors are not the user's to read.
    const interrupted = (globalThis as Record<symbol, unknown>)[INTERRUPTED];
    if (interrupted) return signalExitCode(String(interrupted));
    const { line, code } = describeError(error);
    process.stderr.write(`dbopt: ${line}\n`);
    if (argv.includes("--debug")) process.stderr.write(`${debugDetails(error)}\n`);
    return code;
  }
}
