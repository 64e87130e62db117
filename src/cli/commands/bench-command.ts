import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import { addConnectionOptions, type ConnectionFlags, openConnection } from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import type { OutputOptions } from "../output.js";

interface BenchFlags extends ConnectionFlags, OutputOptions {
  workload?: string;
  fromStats?: boolean;
  top?: string;
  clients: string;
  threads?: string;
  duration?: string;
  transactions?: string;
  warmup: string;
  protocol: string;
  sandbox?: boolean;
  readOnlyOk?: boolean;
  variantASetup?: string;
  variantATeardown?: string;
  variantBSetup?: string;
  variantBTeardown?: string;
  variantASql?: string;
  variantBSql?: string;
  rounds: string;
  seed: string;
  parameterSets: string;
}

const BENCH_FORMATS = ["terminal", "json", "markdown"] as const;

export function registerBench(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("bench")
    .summary("replay the workload concurrently, like pgbench, or compare two variants of it")
    .description(
      "Replay the workload (--workload FILE.sql or --from-stats) with N concurrent clients, each statement picked by its weight (-- weight: N comments, or pg_stat_statements' calls) with its $n parameters drawn from pg_stats (or a sample of the column), and report throughput and latency percentiles per statement and overall. With --variant-a-* / --variant-b-* it runs two variants in interleaved rounds (A B, B A, …) and says whether B is faster beyond noise (Welch's t-test on the rounds). Statements that write run only on a database marked --sandbox; any other database takes SELECT-only workloads, and only with --read-only-ok.",
    )
    .option(
      "--workload <file>",
      "statements separated by ;, each weighted by a preceding -- weight: N (or -- calls: N)",
    )
    .option("--from-stats", "the workload from pg_stat_statements, each statement weighted by its calls")
    .option("--top <n>", "with --from-stats: the statements that took the most time, at most this many", "20")
    .option("--clients <n>", "concurrent clients, each on its own connection", "8")
    .option("--threads <n>", "worker threads the clients are spread over (default: the cores, at most 4)")
    .option("--duration <duration>", "measured time of the run, of each round when comparing (default 60s)")
    .option("--transactions <n>", "stop after this many calls in all, instead of after --duration")
    .option("--warmup <duration>", "run this long before measuring (caches, prepared plans)", "5s")
    .option(
      "--protocol <protocol>",
      "prepared (Parse once per connection, then Bind/Execute, like pgbench -M prepared) or simple",
      "prepared",
    )
    .option(
      "--sandbox",
      "the database is a throw-away copy: replay writes, run the variants' setup and teardown SQL",
    )
    .option(
      "--read-only-ok",
      "load a database that is not a sandbox with this SELECT-only workload (read-only sessions)",
    )
    .option("--variant-a-setup <file>", "SQL to run before each round of variant A (on a --sandbox)")
    .option("--variant-a-teardown <file>", "SQL to run after each round of variant A")
    .option("--variant-b-setup <file>", "SQL to run before each round of variant B, e.g. CREATE INDEX …")
    .option("--variant-b-teardown <file>", "SQL to run after each round of variant B, e.g. DROP INDEX …")
    .option("--variant-a-sql <sql>", "compare two rewrites of one statement: this one as variant A")
    .option("--variant-b-sql <sql>", "… and this one as variant B")
    .option("--rounds <n>", "rounds of each variant when comparing", "3")
    .option("--seed <n>", "seed of the parameter draws and of the clients' choices", "1")
    .option("--parameter-sets <n>", "parameter sets drawn per statement", "1000")
    .option("--format <format>", "terminal, json or markdown", "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal");
  addConnectionOptions(command);
  command.action(async (flags: BenchFlags) => {
    const checked = await parseOptions("bench", { ...flags }, (k) => ({
      workload: k.inputFile("--workload").optional(),
      top: k.wholeNumber("--top", 1, 1000),
      clients: k.wholeNumber("--clients", 1, 1000),
      threads: k.wholeNumber("--threads", 1, 64).optional(),
      duration: k.duration("--duration").optional(),
      transactions: k.wholeNumber("--transactions", 1, 1_000_000_000).optional(),
      warmup: k.z.union([k.z.literal("0"), k.duration("--warmup")]),
      protocol: k.oneOf("--protocol", ["prepared", "simple"]),
      variantASetup: k.inputFile("--variant-a-setup").optional(),
      variantATeardown: k.inputFile("--variant-a-teardown").optional(),
      variantBSetup: k.inputFile("--variant-b-setup").optional(),
      variantBTeardown: k.inputFile("--variant-b-teardown").optional(),
      variantASql: k.text("--variant-a-sql").optional(),
      variantBSql: k.text("--variant-b-sql").optional(),
      rounds: k.wholeNumber("--rounds", 1, 100),
      seed: k.wholeNumber("--seed", 0, 2_147_483_647),
      parameterSets: k.wholeNumber("--parameter-sets", 1, 100_000),
      ...connectionChecks(k),
      ...outputChecks(k, BENCH_FORMATS),
    }));
    if (checked.duration !== undefined && checked.transactions !== undefined)
      throw new InputError("--duration and --transactions both say when to stop", "give one of them");
    const { readTextFile } = await import("../../util/read-input.js");
    const read = async (path: string | undefined) => (path ? await readTextFile(path) : undefined);
    const [aSetup, aTeardown, bSetup, bTeardown] = await Promise.all(
      [checked.variantASetup, checked.variantATeardown, checked.variantBSetup, checked.variantBTeardown].map(
        read,
      ),
    );
    const comparing = [aSetup, aTeardown, bSetup, bTeardown, checked.variantASql, checked.variantBSql].some(
      (v) => v !== undefined,
    );
    const variant = (setup?: string, teardown?: string, sql?: string) => ({
      ...(setup !== undefined ? { setup } : {}),
      ...(teardown !== undefined ? { teardown } : {}),
      ...(sql !== undefined ? { sql } : {}),
    });
    const [{ benchWorkload }, { withInterrupt }, output] = await Promise.all([
      import("../../pipeline/bench-workload.js"),
      import("../interrupt-signal.js"),
      import("../output.js"),
    ]);
    const progress = statusLine();
    // Ctrl-C ends the run early: the report of what was measured is still printed, then one line says so.
    let interruptedBy: string | null = null;
    const report = await withInterrupt((signal) => {
      signal.addEventListener("abort", () => {
        interruptedBy = String(signal.reason ?? "a signal");
      });
      return benchWorkload(() => openConnection(flags), {
        ...(checked.workload ? { workloadFile: checked.workload } : {}),
        fromStats: Boolean(flags.fromStats),
        top: checked.top,
        ...(comparing
          ? {
              variants: {
                a: variant(aSetup, aTeardown, checked.variantASql),
                b: variant(bSetup, bTeardown, checked.variantBSql),
              },
            }
          : {}),
        rounds: checked.rounds,
        clients: checked.clients,
        threads: checked.threads ?? Math.min(4, availableParallelism()),
        protocol: checked.protocol,
        durationMs: checked.transactions !== undefined ? null : (checked.duration ?? 60_000),
        transactions: checked.transactions ?? null,
        warmupMs: checked.warmup === "0" ? 0 : checked.warmup,
        sandbox: Boolean(flags.sandbox),
        readOnlyOk: Boolean(flags.readOnlyOk),
        statementTimeoutMs: checked.statementTimeout ?? 30_000,
        parameterSets: checked.parameterSets,
        seed: checked.seed,
        signal,
        ...(progress.update ? { onProgress: progress.update } : {}),
      }).finally(progress.clear);
    }, "dbopt bench leaves nothing behind but what a variant's setup SQL made (its teardown did not run)");
    const format = checked.format ?? "terminal";
    let text: string;
    if (format === "json")
      text = (await import("../../reporters/bench/bench-json.js")).renderBenchJson(report);
    else if (format === "markdown")
      text = (await import("../../reporters/bench/bench-markdown.js")).renderBenchMarkdown(report);
    else
      text = (await import("../../reporters/bench/bench-terminal.js")).renderBenchTerminal(report, {
        colour: output.wantColour(format, flags),
      });
    await output.writeOutput(text, checked.output);
    if (interruptedBy !== null) {
      process.stderr.write(
        `dbopt: error: interrupted (${interruptedBy}): the report covers only what was measured before it; its sessions are closed.\n`,
      );
      setExitCode(interruptedBy === "SIGTERM" ? 143 : 130);
    }
  });
}

/** The live line on standard error (a terminal only): the round, the phase, calls, throughput, errors. */
function statusLine(stream: NodeJS.WriteStream = process.stderr): {
  /** Absent off a terminal, so the run keeps no timer for it. */
  update?(p: { round: string | null; phase: string; elapsedMs: number; calls: number; errors: number }): void;
  clear(): void;
} {
  if (!stream.isTTY) return { clear: () => {} };
  let shown = false;
  return {
    update(p) {
      shown = true;
      const seconds = Math.max(p.elapsedMs / 1000, 0.001);
      stream.write(
        `\r${p.round ? `${p.round}  ` : ""}${p.phase} ${seconds.toFixed(1)} s  ${p.calls.toLocaleString("en-US")} calls  ${Math.round(p.calls / seconds).toLocaleString("en-US")} tx/s  ${p.errors} errors\x1b[K`,
      );
    },
    clear() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
