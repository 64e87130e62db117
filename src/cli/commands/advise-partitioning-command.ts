import type { Command } from "commander";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  openConnection,
} from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import type { OutputOptions } from "../output.js";

interface PartitioningFlags extends ConnectionFlags, OutputOptions {
  sandbox?: boolean;
  sample?: string;
  store?: string | true;
  retention?: string;
  set?: string[];
}

/** `dbopt advise partitioning`: which tables to partition, on which key, the migration, measured on a sandbox. */
export function registerAdvisePartitioning(advise: Command, setExitCode: (code: number) => void): void {
  const command = advise
    .command("partitioning")
    .summary("large tables to partition, the key and layout, the migration, measured on a sandbox")
    .description(
      "Find the large tables whose heavy statements filter on a time column (range partitions by time, the interval sized to the data and the retention) or a tenant column (hash partitions). Says which keys must widen to include the partition key, turns retention DELETEs into dropping partitions, and prints the migration (partitioned table, partitions, indexes, the copy one partition at a time, the swap), checked by dbopt migrate lint. With --sandbox (the database is a copy) the layout is built, the table's statements are timed before and after with the partitions each read, and the copy is put back; with --sample N% the same runs on a sampled copy (the table's schema and N% of its rows, small joined tables whole) on an embedded PostgreSQL 18, read-only on the database given. Growth comes from the history store (dbopt collect) when it holds samples of the table a day apart, else from the database's counters.",
    )
    .option("--sandbox", "the database is a copy: build each layout and measure it, then put the copy back")
    .option(
      "--sample <percent>",
      "measure on an embedded PostgreSQL 18 holding the schema and this share of the table's rows, e.g. 5%",
    )
    .option(
      "--store [url]",
      "the history store to read growth from (a PostgreSQL URL; alone, the embedded store in $DBOPT_HOME, which is also read when it exists)",
    )
    .option("--retention <duration>", "how long rows are kept, when no DELETE statement says (e.g. 90d)")
    .option(
      "--set <rule.option=value...>",
      "change a rule's threshold, e.g. architecture/partition-table.minRows=100000",
    );
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async function (this: Command) {
    const flags = this.opts() as PartitioningFlags;
    const { FORMATS } = await import("../output.js");
    const checked = await parseOptions("advise partitioning", { ...flags }, (k) => ({
      retention: k.z
        .string()
        .regex(/^\d+\s*(d|days?|w|weeks?|m|months?|y|years?)$/i, {
          message: "--retention takes days, weeks, months or years, like 90d",
        })
        .optional(),
      set: k.ruleAssignments("--set").optional(),
      sample: k.percentage("--sample").optional(),
      store: k.z.union([k.z.literal(true), k.postgresUrl("--store")]).optional(),
      ...connectionChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    if (checked.sample !== undefined && flags.sandbox) {
      const { InputError } = await import("../../util/input-error.js");
      throw new InputError(
        "--sample and --sandbox both say where to measure",
        "give --sandbox when the database is a copy, --sample N% to measure on a sampled copy, not both",
      );
    }
    if (checked.sample === 0) {
      const { InputError } = await import("../../util/input-error.js");
      throw new InputError(
        "--sample 0% copies no rows",
        "give a share of the rows to copy, like --sample 5%",
      );
    }
    const [{ advisePartitioning }, { overridesFrom }, output, { PARTITIONING_RULES }] = await Promise.all([
      import("../../pipeline/advise-partitioning.js"),
      import("../rule-overrides.js"),
      import("../output.js"),
      import("../../rules/registry.js"),
    ]);
    const { SHARDING_RULES } = await import("../../rules/registry.js");
    const run = (signal?: AbortSignal) =>
      advisePartitioning(() => openConnection(flags), {
        sandbox: Boolean(flags.sandbox),
        ...(checked.sample !== undefined ? { samplePercent: Math.round(checked.sample * 10_000) / 100 } : {}),
        ...(checked.store !== undefined ? { store: checked.store } : {}),
        ...(checked.retention ? { retentionDays: retentionDays(checked.retention) } : {}),
        overrides: overridesFrom(flags.set, [...PARTITIONING_RULES, ...SHARDING_RULES]),
        ...(signal ? { signal } : {}),
      });
    // On a sandbox, Ctrl-C must not end the process between the migration and its undo: the proof stops, puts the
    // sandbox back and says so (the default handler would exit while the undo still runs).
    const report = flags.sandbox
      ? await (await import("../interrupt-signal.js")).withInterrupt(
          run,
          "the sandbox may hold the tables dbopt built for the proof (the table's name ending in _partitioned or _unpartitioned): drop them, and give the original its name back",
        )
      : await run();
    const format = checked.format ?? "terminal";
    const text =
      format === "json"
        ? (await import("../../reporters/partitioning/partitioning-json.js")).renderPartitioningJson(report)
        : format === "html"
          ? (await import("../../reporters/partitioning/partitioning-html.js")).renderPartitioningHtml(report)
          : format === "markdown"
            ? (
                await import("../../reporters/partitioning/partitioning-markdown.js")
              ).renderPartitioningMarkdown(report)
            : (
                await import("../../reporters/partitioning/partitioning-terminal.js")
              ).renderPartitioningTerminal(report, {
                colour: output.wantColour(format, flags),
              });
    await output.writeOutput(text, checked.output);
    setExitCode(output.findingsExitCode(report.findings, checked.failOn));
  });
}

function retentionDays(text: string): number {
  const m = /^(\d+)\s*([a-z])/i.exec(text) as RegExpExecArray;
  const n = Number(m[1]);
  const unit = (m[2] as string).toLowerCase();
  return unit === "d" ? n : unit === "w" ? 7 * n : unit === "m" ? 30 * n : 365 * n;
}
