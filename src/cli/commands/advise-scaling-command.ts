import type { Command } from "commander";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  openConnection,
} from "../common-options.js";
import { addMachineOptions, type MachineFlags, machineFrom } from "../machine-options.js";
import {
  connectionChecks,
  machineChecks,
  outputChecks,
  parseOptions,
  parsePeriod,
} from "../option-schemas.js";
import { FORMATS, type OutputOptions } from "../output.js";

interface ScalingFlags extends ConnectionFlags, OutputOptions, MachineFlags {
  samples: string;
  interval: string;
  spindles?: string;
  lagTolerant?: string[];
  traces?: string[];
  log?: string[];
  logPrefix?: string;
  ownWriteWindow: string;
  store?: string | boolean;
  since: string;
}

/** `dbopt advise scaling`: connection pooling and read replicas (issue #15). */
export function registerAdviseScaling(advise: Command, setExitCode: (code: number) => void): void {
  const command = advise
    .command("scaling")
    .summary("connection pooling and read replicas, from sampled activity and the workload")
    .description(
      "Size a connection pool and pick the pooler mode, and find the reads a replica could take. pg_stat_activity is sampled over a short window (--samples × --interval) for connections held against connections busy; the pool size is cores × 2 + effective spindles (give --cpus), checked against the concurrency measured; statements from pg_stat_statements say what transaction pooling would break (SET, LISTEN, session advisory locks, PREPARE, temporary tables, cursors WITH HOLD) and which are reads a standby could run; --traces tells the reads that follow their own writes. Read-only.",
    )
    .option("--samples <n>", "pg_stat_activity samples to take", "20")
    .option("--interval <duration>", "time between samples, e.g. 500ms or 2s", "500ms")
    .option("--spindles <n>", "effective spindles in the pool formula (1 for SSD or a cached working set)")
    .option(
      "--lag-tolerant <statements...>",
      "statements that may read from a replica: a pg_stat_statements queryid, or a piece of the statement's text",
    )
    .option(
      "--traces <files...>",
      "OTLP/JSON traces: reads that follow their own writes in a trace stay on the primary",
    )
    .option(
      "--log <files...>",
      "PostgreSQL server logs with every statement logged: reads that follow their own session's writes stay on the primary",
    )
    .option(
      "--log-prefix <log_line_prefix>",
      "the stderr log's log_line_prefix, when it cannot be read off the log",
    )
    .option(
      "--own-write-window <duration>",
      "with --log: a read this soon after its session committed a write to a table it reads needs the primary",
      "1s",
    )
    .option(
      "--store [url]",
      "connections from the samples dbopt collect kept (a PostgreSQL URL, or the embedded store in $DBOPT_HOME) instead of sampling now",
    )
    .option("--since <period>", "with --store: the stored samples of the last period, e.g. 7d or 12h", "7d");
  addConnectionOptions(command);
  addMachineOptions(command);
  addOutputOptions(command);
  command.action(async function (this: Command) {
    const flags = this.opts() as ScalingFlags;
    const checked = await parseOptions("advise scaling", { ...flags }, (k) => ({
      samples: k.wholeNumber("--samples", 1, 10_000),
      interval: k.duration("--interval"),
      spindles: k.wholeNumber("--spindles", 0, 1000).optional(),
      traces: k.z.array(k.inputPath("--traces", { stdin: true })).optional(),
      log: k.z.array(k.inputFile("--log", { stdin: true })).optional(),
      logPrefix: k.text("--log-prefix").optional(),
      ownWriteWindow: k.duration("--own-write-window"),
      store: k.z.union([k.z.literal(true), k.postgresUrl("--store")]).optional(),
      since: k.z.string().transform((text, ctx) => {
        const ms = parsePeriod(text);
        if (ms !== null) return ms;
        ctx.issues.push({
          code: "custom",
          message: `--since must be a period like 12h or 7d, got ${JSON.stringify(text)}`,
          input: text,
        });
        return k.z.NEVER;
      }),
      ...connectionChecks(k),
      ...machineChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    const [{ adviseScaling }, { overridesFrom }, output] = await Promise.all([
      import("../../pipeline/advise-scaling.js"),
      import("../rule-overrides.js"),
      import("../output.js"),
    ]);
    const { ARCHITECTURE_RULES } = await import("../../rules/registry.js");
    // The pipeline reads the traces first, then connects: a bad file is reported without touching the server.
    const report = await adviseScaling(() => openConnection(flags), {
      samples: checked.samples,
      intervalMs: checked.interval,
      machine: machineFrom(flags),
      ...(checked.spindles !== undefined ? { spindles: checked.spindles } : {}),
      lagTolerant: flags.lagTolerant ?? [],
      ...(checked.traces ? { traceFiles: checked.traces } : {}),
      ...(checked.log ? { logFiles: checked.log } : {}),
      ...(checked.logPrefix ? { logPrefix: checked.logPrefix } : {}),
      ownWriteWindowMs: checked.ownWriteWindow,
      ...(checked.store !== undefined
        ? { store: { url: checked.store === true ? undefined : checked.store, sinceMs: checked.since } }
        : {}),
      overrides: overridesFrom(flags.set, ARCHITECTURE_RULES),
    });
    const format = checked.format ?? "terminal";
    const text =
      format === "json"
        ? (await import("../../reporters/scaling/scaling-json.js")).renderScalingJson(report)
        : format === "markdown"
          ? (await import("../../reporters/scaling/scaling-markdown.js")).renderScalingMarkdown(report)
          : format === "html"
            ? (await import("../../reporters/scaling/scaling-html.js")).renderScalingHtml(report)
            : (await import("../../reporters/scaling/scaling-terminal.js")).renderScalingTerminal(report, {
                colour: output.wantColour(format, flags),
              });
    await output.writeOutput(text, checked.output);
    setExitCode(output.findingsExitCode(report.findings, checked.failOn));
  });
}
