import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import { withoutSecrets } from "../../util/secret-text.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  openConnection,
  progressReporter,
} from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { emitReport, FORMATS, type OutputOptions } from "../output.js";
import { registerAdviseCaching } from "./advise-caching-command.js";
import { registerAdvisePartitioning } from "./advise-partitioning-command.js";
import { registerAdviseScaling } from "./advise-scaling-command.js";

interface AdviseFlags extends ConnectionFlags, OutputOptions {
  workload?: string;
  log?: string[];
  budget?: string;
  maxIndexes?: string;
  minImprovement: string;
  tables?: string;
  exclude?: string;
  sandbox?: boolean | string;
  sample?: string;
  apply?: boolean;
  verify?: boolean;
}

export function registerAdvise(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("advise")
    .alias("advise-indexes")
    .summary("recommend indexes for the whole workload, each checked by the planner")
    .description(
      "Recommend indexes for the workload (pg_stat_statements, --workload FILE.sql, or --log server logs): candidates from every statement's shape, costed by the real planner through HypoPG (or real indexes with --sandbox), chosen for the whole workload within a budget, net of write costs. Prints complete CREATE INDEX CONCURRENTLY statements; --apply runs them.",
    )
    .argument(
      "[what]",
      "what to advise on: indexes (the default); see also advise caching, advise partitioning and advise scaling",
      "indexes",
    )
    .option(
      "--workload <file>",
      "statements separated by ; each called once, or N times with a preceding -- weight: N (or -- calls: N) comment; a statement counts as its calls × the time of one call (pg_stat_statements' mean when it knows the statement, else the plan's cost), and INSERT, UPDATE and DELETE statements charge the indexes on their table for every call",
    )
    .option(
      "--log <files...>",
      "the workload from PostgreSQL server logs (as dbopt logs reads them): each statement weighted by its logged time",
    )
    .option("--budget <size>", "bytes of new indexes at most, e.g. 500MB")
    .option("--max-indexes <n>", "new indexes at most")
    .option(
      "--min-improvement <percent>",
      "recommend nothing unless the workload improves by this much",
      "5%",
    )
    .option("--tables <list>", "only these tables (comma-separated)")
    .option("--exclude <list>", "never these tables (comma-separated)")
    .option(
      "--sandbox [url]",
      "the database is a copy: measure with real indexes (all kinds, GIN included) instead of HypoPG; on MySQL/MariaDB a mysql:// URL names another database that is a copy",
    )
    .option(
      "--sample <percent>",
      "MySQL/MariaDB: evaluate on a scratch database dbopt makes on the same server from the live schema and this share of each table's rows (5%), and drops afterwards",
    )
    .option(
      "--verify",
      "with --sandbox: build the recommendations, run the statements before and after, report measured times",
    )
    .option(
      "--apply",
      "build the recommended indexes (CREATE INDEX CONCURRENTLY, one at a time; on a partitioned table ON ONLY the parent, CONCURRENTLY on each partition, then ATTACH PARTITION) and drop the redundant ones",
    );
  addConnectionOptions(command);
  addOutputOptions(command);
  registerAdviseCaching(command, setExitCode);
  registerAdvisePartitioning(command, setExitCode);
  registerAdviseScaling(command, setExitCode);
  command.action(async (what: string, flags: AdviseFlags) => {
    const checked = await parseOptions("advise", { what, ...flags }, (k) => ({
      what: k.oneOf("the argument <what>", ["indexes"]),
      workload: k.inputFile("--workload").optional(),
      log: k.z.array(k.inputPath("--log", { stdin: true })).optional(),
      budget: k.size("--budget").optional(),
      maxIndexes: k.wholeNumber("--max-indexes", 1, 1000).optional(),
      minImprovement: k.percentage("--min-improvement"),
      tables: k.nameList("--tables").optional(),
      exclude: k.nameList("--exclude").optional(),
      ...connectionChecks(k, { mysql: true }),
      ...outputChecks(k, FORMATS),
      sample: k.percentage("--sample").optional(),
    }));
    const sandboxUrl = typeof flags.sandbox === "string" ? flags.sandbox : null;
    if (sandboxUrl !== null && !/^(mysql|mariadb):\/\//i.test(sandboxUrl))
      throw new InputError(
        `--sandbox takes no value on PostgreSQL, or a mysql:// URL on MySQL/MariaDB; got ${JSON.stringify(withoutSecrets(sandboxUrl))}`,
        "write --sandbox alone (after the other arguments), or --sandbox mysql://user@host/copy",
      );
    if (/^(mysql|mariadb):\/\//i.test(flags.db?.trim() ?? "")) {
      // mysql:// and mariadb:// go to the MySQL advisor: real indexes on a sandbox, switched on and off.
      const { withMysqlConnection } = await import("../mysql-connection.js");
      const { adviseMysqlDatabase } = await import("../../pipeline/advise-mysql.js");
      const { resolveMysqlTarget } = await import("../../connectors/mysql/mysql-target.js");
      if (flags.log || flags.apply || flags.verify)
        throw new InputError(
          `${flags.log ? "--log" : flags.apply ? "--apply" : "--verify"} is for PostgreSQL`,
          "on MySQL/MariaDB give the workload with --workload FILE (or none: the digests), and run the printed ALTER TABLE yourself; the advice always measures before and after",
        );
      const options = {
        ...(flags.workload ? { workloadFile: flags.workload } : {}),
        sandbox: sandboxUrl ? resolveMysqlTarget(sandboxUrl) : flags.sandbox ? ("self" as const) : null,
        samplePercent: checked.sample !== undefined ? checked.sample * 100 : null,
        minImprovement: checked.minImprovement,
        maxIndexes: checked.maxIndexes ?? null,
        budgetBytes: checked.budget ?? null,
        tables: checked.tables ?? [],
        exclude: checked.exclude ?? [],
        onProgress: progressReporter(),
      };
      const report = await withMysqlConnection(flags, (db) => adviseMysqlDatabase(db, options));
      setExitCode(await emitReport(report, flags));
      return;
    }
    if (checked.sample !== undefined)
      throw new InputError(
        "--sample is for MySQL/MariaDB",
        "on PostgreSQL use HypoPG, or --sandbox on a copy",
      );
    const { adviseDatabase, FIND_LEFTOVERS_SQL } = await import("../../pipeline/advise-database.js");
    const { withInterrupt } = await import("../interrupt-signal.js");
    const { report } = await withInterrupt(
      (signal) =>
        adviseDatabase(() => openConnection(flags), {
          budgetBytes: checked.budget ?? null,
          maxIndexes: checked.maxIndexes ?? null,
          minImprovement: checked.minImprovement,
          tables: checked.tables ?? [],
          exclude: checked.exclude ?? [],
          sandbox: Boolean(flags.sandbox),
          apply: Boolean(flags.apply),
          verify: Boolean(flags.verify),
          onProgress: progressReporter(),
          signal,
          ...(checked.workload ? { workloadFile: checked.workload } : {}),
          ...(checked.log ? { logFiles: checked.log } : {}),
        }),
      `list invalid indexes dbopt may have left with: ${FIND_LEFTOVERS_SQL}`,
    );
    setExitCode(await emitReport(report, flags));
    // Some index was not built (or something is left behind): the report says which; the exit code says so too.
    if (report.apply && !report.apply.complete) setExitCode(2);
  });
}
