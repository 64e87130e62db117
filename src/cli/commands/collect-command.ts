import type { Command } from "commander";
import type { SampleOutcome } from "../../pipeline/collect-samples.js";
import { EXIT } from "../exit-codes.js";
import { collectChecks, parseOptions } from "../option-schemas.js";

interface CollectFlags {
  db?: string[];
  store?: string;
  every: string;
  once?: boolean;
  keep?: string;
  plans: string;
  statementTimeout: string;
  lockTimeout: string;
  debug?: boolean;
}

export function registerCollect(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("collect")
    .summary("sample databases into a history store, every few minutes")
    .description(
      "Sample each database (pg_stat_statements as deltas, generic plans of the top statements, tables and indexes, settings, waits, database-wide counters) into a history store, read-only on the databases. The store is --store postgresql://... (a team store for many databases and collectors), else an embedded PostgreSQL 18 kept in $DBOPT_HOME (~/.local/share/dbopt). A database that cannot be read is recorded as a gap and the others go on. Ctrl-C stops between samples.",
    )
    .option(
      "--db <url>",
      "PostgreSQL URL of a database to sample; repeat for more (else DATABASE_URL, else the PG* variables)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      "--store <url>",
      "PostgreSQL URL of the history store (default: the embedded store in $DBOPT_HOME)",
    )
    .option("--every <duration>", "time between samples", "5min")
    .option("--once", "take one sample of each database and stop")
    .option("--keep <period>", "drop samples older than this, whole days at a time (e.g. 30d)")
    .option("--plans <n>", "generic plans to store per sample: the statements with the most time", "10")
    .option("--statement-timeout <duration>", "limit for each statement dbopt runs on a database", "30s")
    .option("--lock-timeout <duration>", "how long any statement may wait for a lock", "2s")
    .option("--debug", "show stack traces and details of errors")
    .action(async (flags: CollectFlags) => {
      const checked = await parseOptions("collect", { ...flags }, collectChecks);
      const [{ resolveTarget }, { collectSamples }, { withInterrupt }] = await Promise.all([
        import("../../connectors/postgres/target.js"),
        import("../../pipeline/collect-samples.js"),
        import("../interrupt-signal.js"),
      ]);
      const urls = checked.db?.length ? checked.db : [undefined];
      const targets = urls.map((db) => resolveTarget({ db }));
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let gaps = 0;
      const run = await withInterrupt(
        (signal) =>
          collectSamples({
            targets,
            store: checked.store,
            everyMs: checked.every,
            once: Boolean(checked.once),
            keepMs: checked.keep ?? null,
            planStatements: checked.plans,
            connector: {
              ...(checked.statementTimeout ? { statementTimeoutMs: checked.statementTimeout } : {}),
              ...(checked.lockTimeout ? { lockTimeoutMs: checked.lockTimeout } : {}),
            },
            signal,
            onProgress: (message) => say(`  … ${message}`),
            onSample: (s) => {
              if (s.gap) gaps++;
              say(sampleLine(s));
            },
          }),
        "nothing is left half-written: each sample is written in one transaction",
      );
      if (run.droppedDays.length)
        say(`retention: dropped ${run.droppedDays.length} day(s) of samples (${run.droppedDays.join(", ")})`);
      // A run that sampled nothing it was asked to tells cron so.
      if (checked.once && gaps > 0) setExitCode(EXIT.connection);
    });
}

function sampleLine(s: SampleOutcome): string {
  const at = s.at.toISOString().replace(/\.\d+Z$/, "Z");
  if (s.gap) return `${at} ${s.target}: gap: ${s.gap}`;
  if (s.superseded) return `${at} ${s.target}: another collector stored a later sample; this one was dropped`;
  const what = s.first
    ? `${s.statements} statements (first sample: deltas start with the next one)`
    : `${s.statements} statements, ${s.active} ran since the last sample`;
  const restart = s.restarted ? `, counters started again (${s.restarted})` : "";
  return `${at} ${s.target}: ${what}${restart}, ${s.plans} plans, ${s.waitProbes} activity looks, ${Math.round(s.targetMs)} ms on the database`;
}
