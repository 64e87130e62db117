import type { Command } from "commander";
import type { LogFormat } from "../../facts/logs/log-formats.js";
import { InputError } from "../../util/input-error.js";
import { EXIT } from "../exit-codes.js";
import { wantColour, writeOutput } from "../output.js";
import { progressBar } from "../progress-bar.js";
import { checkLogsOptions, type LogsFlags } from "./logs-options.js";

export function registerLogs(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("logs")
    .summary("the workload, N+1 loops, errors and waits from PostgreSQL logs and MySQL/MariaDB slow logs")
    .description(
      "Read PostgreSQL server logs (stderr or syslog with any log_line_prefix, detected or given; csvlog; jsonlog; Google Cloud SQL's Cloud Logging exports; CloudNativePG; Heroku logplex), PgBouncer logs or MySQL/MariaDB slow query logs (gzip, bzip2, xz or zstd too; - for standard input) as a stream, group statements by their libpg-query fingerprint with calls, total/mean/p50/p95/p99/max time and the slowest example with its parameters, find N+1 loops per session with the batched rewrite, and summarise errors, lock waits, deadlocks, temp files, checkpoints and autovacuum.",
    )
    .argument(
      "<files...>",
      "log files (plain, .gz, .bz2, .xz or .zst), folders of them, or - for standard input",
    )
    .option(
      "--prefix <log_line_prefix>",
      "the server's log_line_prefix, when it cannot be read off the log (SHOW log_line_prefix)",
    )
    .option(
      "--log-format <format>",
      "stderr, syslog, csvlog, jsonlog, cloudsql (Cloud Logging export), cnpg (CloudNativePG), logplex (Heroku), pgbouncer or mysql-slow (default: detected)",
    )
    .option("--top <n>", "statements to list, heaviest first", "15")
    .option("--min-repeats <n>", "repeats of one statement after another that make an N+1", "5")
    .option("--jobs <n>", "threads that read a large file side by side (default: the cores not already busy)")
    .option("--split-from <size>", "files at least this large are read by several threads", "64MB")
    .option(
      "--since <time>",
      "only messages from this time on, e.g. 2026-11-26T14:00 (UTC unless it names a zone)",
    )
    .option("--until <time>", "only messages before this time")
    .option("--database <name>", "only this database's messages (and the server's own)")
    .option("--user <name>", "only this user's messages (and the server's own)")
    .option("--application <name>", "only this application_name's messages (and the server's own)")
    .option("--format <format>", "terminal, json or html", "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal")
    .option("--debug", "show stack traces and details of errors")
    .action(async (files: string[], flags: LogsFlags) => {
      const checked = checkLogsOptions(files, flags);
      const { analyzeLogs } = await import("../../pipeline/analyze-logs.js");
      const { renderLogReport } = await import("../../reporters/logs/log-report-terminal.js");
      const format = checked.format;
      const top = checked.top;
      if (checked.since !== undefined && checked.until !== undefined && checked.since >= checked.until)
        throw new InputError("--since is not before --until", "give a --since time earlier than --until");
      const bar = progressBar();
      const report = await analyzeLogs(files, {
        ...(checked.jobs ? { jobs: checked.jobs } : {}),
        parallelFromBytes: checked.splitFrom,
        filter: {
          since: checked.since ?? null,
          until: checked.until ?? null,
          database: flags.database ?? null,
          user: flags.user ?? null,
          application: flags.application ?? null,
        },
        onProgress: bar.update,
        ...(flags.prefix ? { prefix: flags.prefix } : {}),
        ...(flags.logFormat ? { format: flags.logFormat as LogFormat } : {}),
        minRepeats: checked.minRepeats,
        ...(format === "json" ? { top } : {}),
      }).finally(bar.clear);
      const text =
        format === "html"
          ? (await import("../../reporters/logs/log-report-html.js")).renderLogHtml(report, { top })
          : renderLogReport(report, format, wantColour(format, flags), top);
      await writeOutput(text, flags.output);
      setExitCode(EXIT.ok);
    });
}
