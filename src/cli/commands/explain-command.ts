import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import { readStdin, readTextFile } from "../../util/read-input.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { isMysqlUrl, refusePostgresOnly } from "../mysql-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { checkFormat, emitReport, FORMATS, type OutputOptions, wantColour, writeOutput } from "../output.js";

interface ExplainFlags extends ConnectionFlags, OutputOptions {
  plan?: string;
  sql?: string;
  analyze?: boolean;
  snapshot?: string;
  sandbox?: boolean;
  allowWrites?: boolean;
  planIndex?: string;
  compare?: string[];
}

export function registerExplain(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("explain")
    .summary("analyse a query plan: tree, hot nodes, findings with fixes")
    .description(
      "Analyse an EXPLAIN plan given as a file or on standard input (text or JSON, as psql prints it), or run EXPLAIN for a statement on a database (--sql or a .sql file), or compare two plans of one statement (--compare BEFORE AFTER): where they diverge and why.",
    )
    .argument("[file]", "plan file, or .sql file with one statement ('-' for standard input)")
    .option("--plan <file>", "plan file (EXPLAIN text or JSON output)")
    .option("--sql <statement>", "statement to explain on the database")
    .option(
      "--analyze",
      "run the statement (EXPLAIN ANALYZE, BUFFERS); a SELECT runs read-only, a data change in a transaction that is rolled back. A rollback does not undo everything: sequences stay advanced, updated, deleted and inserted rows leave dead row versions until VACUUM, changed rows are locked while it runs, WAL is written, and triggers act as they do (their effects outside the database remain). A change of more than 10,000 rows, or one that fires triggers, needs --sandbox or --allow-writes",
    )
    .option("--sandbox", "the database is a throw-away copy: --analyze may run large data changes")
    .option(
      "--allow-writes",
      "accept what --analyze of a data change leaves behind on this database (see --analyze)",
    )
    .option("--snapshot <file>", "schema facts from `dbopt snapshot`, to tailor fixes to existing indexes")
    .option(
      "--plan-index <n>",
      "which plan to read when the input holds several (a psql session, concatenated outputs); 1 is the first; with --compare it applies to both files",
    )
    .option(
      "--compare <plans...>",
      "compare two plans of one statement: --compare BEFORE AFTER, aligned node by node with the node where they diverge and why; FILE:N reads plan N of a file, '-' standard input (for one of them); one FILE holding exactly two plans compares them",
    );
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async (file: string | undefined, flags: ExplainFlags) => {
    const checked = await parseOptions("explain", { file, ...flags }, (k) => ({
      planIndex: k.wholeNumber("--plan-index", 1, 1_000_000_000).optional(),
      file: k.inputFile("the plan file", { stdin: true }).optional(),
      plan: k.inputFile("--plan", { stdin: true }).optional(),
      compare: k.z.array(k.planFile("--compare")).optional(),
      sql: k.text("--sql").optional(),
      snapshot: k.inputFile("--snapshot").optional(),
      ...connectionChecks(k, { mysql: true }),
      ...outputChecks(k, FORMATS),
    }));
    if (checked.compare) {
      await comparePlanFiles(checked.compare, checked.planIndex, flags, file);
      return;
    }
    if (flags.sql !== undefined && (file !== undefined || flags.plan !== undefined))
      throw new InputError(
        "--sql and a plan file were both given",
        "give the statement with --sql, or a plan (or .sql) file, not both",
      );
    if ((flags.sandbox || flags.allowWrites) && !flags.analyze)
      throw new InputError(
        `${flags.sandbox ? "--sandbox" : "--allow-writes"} only matters with --analyze`,
        "add --analyze to run the statement, or leave the flag out",
      );
    if (file !== undefined && flags.plan !== undefined)
      throw new InputError("a plan file was given twice (argument and --plan)", "give one of them");
    if (flags.analyze && flags.sql === undefined && !(flags.plan ?? file ?? "").endsWith(".sql"))
      throw new InputError(
        "--analyze runs a statement on the database, and no statement was given",
        "give it with --sql or as a .sql file, together with --db; a plan file is read as it is",
      );
    const { readSnapshot } = await import("../../facts/snapshot-file.js");
    const { explainPlanText, explainStatementOnDatabase } = await import("../../pipeline/explain-plan.js");
    const path = flags.plan ?? file;
    let sql = flags.sql ?? null;
    let planText: string | null = null;
    if (!sql) {
      const text = path && path !== "-" ? await readTextFile(path) : await readStdin("plan");
      if (path?.endsWith(".sql")) sql = text;
      else planText = text;
    }
    const statement = sql;
    if (statement === null && flags.db)
      throw new InputError(
        "--db is given with a plan, which dbopt reads as it is and never sends to a database",
        "give the statement (--sql or a .sql file) to explain it on --db, or leave --db out; --snapshot FILE adds the schema's facts to a plan",
      );
    if (statement !== null && isMysqlUrl(flags.db)) {
      // mysql:// and mariadb:// go to the MySQL explain: EXPLAIN FORMAT=JSON, or the server's ANALYZE.
      refusePostgresOnly([
        {
          flag: "--snapshot",
          given: flags.snapshot !== undefined,
          instead: "the MySQL/MariaDB explain reads the tables and indexes from the server it explains on",
        },
      ]);
      const { withMysqlConnection } = await import("../mysql-connection.js");
      const { explainStatementOnMysql } = await import("../../pipeline/explain-on-mysql.js");
      const options = {
        analyze: Boolean(flags.analyze),
        allowWrites: Boolean(flags.sandbox || flags.allowWrites),
      };
      const report = await withMysqlConnection(flags, (db) =>
        explainStatementOnMysql(db, statement, options),
      );
      setExitCode(await emitReport(report, flags));
      return;
    }
    const snapshot = flags.snapshot ? await readSnapshot(flags.snapshot) : null;
    const report =
      statement !== null
        ? await withConnection(flags, (db) =>
            explainStatementOnDatabase(db, statement, {
              analyze: Boolean(flags.analyze),
              allowWrites: Boolean(flags.sandbox || flags.allowWrites),
              snapshot,
            }),
          )
        : explainPlanText(planText ?? "", {
            source: path && path !== "-" ? path : "standard input",
            snapshot,
            index: checked.planIndex,
          });
    setExitCode(await emitReport(report, flags));
  });
}

/** `--compare BEFORE AFTER` (or one file holding both plans): the plan comparison in the chosen format. */
async function comparePlanFiles(
  files: Array<{ path: string; index?: number }>,
  planIndex: number | undefined,
  flags: ExplainFlags,
  file: string | undefined,
): Promise<void> {
  const other = [
    file !== undefined && "a plan file argument",
    flags.plan !== undefined && "--plan",
    flags.sql !== undefined && "--sql",
    flags.analyze && "--analyze",
    flags.snapshot !== undefined && "--snapshot",
    flags.failOn !== undefined && "--fail-on",
  ].filter(Boolean);
  if (other.length)
    throw new InputError(
      `--compare takes its plans itself; ${other.join(" and ")} cannot be used with it`,
      "run dbopt explain --compare BEFORE AFTER",
    );
  if (files.length > 2)
    throw new InputError(
      `--compare takes two plans (before, after), got ${files.length}`,
      "run dbopt explain --compare BEFORE AFTER",
    );
  if (files.filter((f) => f.path === "-").length > 1)
    throw new InputError("standard input can give only one of the two plans", "save one of them to a file");
  const { comparePlans } = await import("../../pipeline/compare-plans.js");
  const read = async (f: { path: string; index?: number }) => ({
    text: f.path === "-" ? await readStdin("plan") : await readTextFile(f.path),
    source: f.path === "-" ? "standard input" : f.path,
    index: f.index ?? planIndex,
  });
  const [first, second] = files as [
    { path: string; index?: number },
    { path: string; index?: number } | undefined,
  ];
  if (!second && (first.index !== undefined || planIndex !== undefined))
    throw new InputError(
      "one file with --compare compares its two plans; a plan number picks one",
      "pass two plans: --compare BEFORE AFTER (FILE:N picks plan N of a file)",
    );
  const report = comparePlans(await read(first), second ? await read(second) : null);
  const [{ renderPlanComparisonJson }, { renderPlanComparisonMarkdown }, { renderPlanComparisonTerminal }] =
    await Promise.all([
      import("../../reporters/plan-diff/plan-diff-json.js"),
      import("../../reporters/plan-diff/plan-diff-markdown.js"),
      import("../../reporters/plan-diff/plan-diff-terminal.js"),
    ]);
  const format = checkFormat(flags.format);
  const text =
    format === "json"
      ? renderPlanComparisonJson(report)
      : format === "markdown"
        ? renderPlanComparisonMarkdown(report)
        : format === "html"
          ? await comparisonPage(report)
          : renderPlanComparisonTerminal(report, { colour: wantColour(format, flags) });
  await writeOutput(text, flags.output);
}

/** The comparison as an HTML page, each plan's picture coloured by what the plan rules find in it. */
async function comparisonPage(
  report: import("../../pipeline/compare-plans.js").PlanComparison,
): Promise<string> {
  const [{ planComparisonFindings }, { renderPlanComparisonHtml }] = await Promise.all([
    import("../../pipeline/plan-comparison-findings.js"),
    import("../../reporters/plan-diff/plan-diff-html.js"),
  ]);
  return renderPlanComparisonHtml(report, { findings: planComparisonFindings(report) });
}
