import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  openConnection,
  progressReporter,
} from "../common-options.js";
import { connectionChecks, outputChecks, parseOptions } from "../option-schemas.js";
import { FORMATS, type OutputOptions } from "../output.js";

interface RewriteFlags extends ConnectionFlags, OutputOptions {
  sql?: string;
  top?: string;
  runs?: string;
  parameterSets?: string;
  sandbox?: boolean;
}

export function registerRewrite(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("rewrite")
    .summary("rewrite slow queries, prove on the data that the rewrite returns the same rows, and time both")
    .description(
      "Rewrite statements (NOT IN → NOT EXISTS, OFFSET → keyset, OR → UNION ALL, date(col) = d → a range, …), each rewrite proven on the database before it is offered: both run read-only, for parameter values drawn from pg_stats when the statement has $n, and must return the same rows (the same multiset, in order with ORDER BY); then both are timed with EXPLAIN ANALYZE (a warm-up, then the median of alternating runs). Only a rewrite proven equal and faster beyond the spread of the runs is offered as a fix; one that returns other rows is refused.",
    )
    .argument("[file]", "a .sql file of statements separated by ; ('-' for standard input)")
    .option("--sql <statements>", "the statement(s) to rewrite, separated by ;")
    .option("--top <n>", "the n SELECTs of pg_stat_statements that took the most time")
    .option("--runs <n>", "timed runs of each statement, alternating original and rewrite", "7")
    .option("--parameter-sets <n>", "value sets drawn from pg_stats for a statement with $n parameters", "5")
    .option("--sandbox", "the database is a copy (nothing is written either way: the proof only reads)");
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async (file: string | undefined, flags: RewriteFlags) => {
    const checked = await parseOptions("rewrite", { file, ...flags }, (k) => ({
      file: k.inputFile("the statements file", { stdin: true }).optional(),
      sql: k.text("--sql").optional(),
      top: k.wholeNumber("--top", 1, 1000).optional(),
      runs: k.wholeNumber("--runs", 1, 1000),
      parameterSets: k.wholeNumber("--parameter-sets", 1, 100),
      ...connectionChecks(k),
      ...outputChecks(k, FORMATS),
    }));
    if (checked.failOn)
      throw new InputError(
        "--fail-on is for reports with findings; dbopt rewrite reports rewrites",
        "leave --fail-on out, and read the verdicts (--format json: statements[].rewrites[].verdict)",
      );
    const given = [checked.file, checked.sql, checked.top].filter((v) => v !== undefined).length;
    if (given !== 1)
      throw new InputError(
        given === 0 ? "no statement to rewrite" : "a file, --sql and --top each give the statements",
        'give one: dbopt rewrite --sql "SELECT …", dbopt rewrite queries.sql, or dbopt rewrite --top 10',
      );
    const [{ rewriteStatements }, { readStdin }, output] = await Promise.all([
      import("../../pipeline/rewrite-statements.js"),
      import("../../util/read-input.js"),
      import("../output.js"),
    ]);
    const sql = checked.file === "-" ? await readStdin("statements") : checked.sql;
    const report = await rewriteStatements(() => openConnection(flags), {
      ...(sql !== undefined
        ? { sql }
        : checked.file
          ? { file: checked.file }
          : { top: checked.top as number }),
      runs: checked.runs,
      parameterSets: checked.parameterSets,
      sandbox: Boolean(flags.sandbox),
      onProgress: progressReporter(),
    });
    const format = checked.format ?? "terminal";
    let text: string;
    if (format === "json")
      text = (await import("../../reporters/rewrite/rewrite-json.js")).renderRewriteJson(report);
    else if (format === "markdown")
      text = (await import("../../reporters/rewrite/rewrite-markdown.js")).renderRewriteMarkdown(report);
    else if (format === "html")
      text = (await import("../../reporters/rewrite/rewrite-html.js")).renderRewriteHtml(report);
    else
      text = (await import("../../reporters/rewrite/rewrite-terminal.js")).renderRewriteTerminal(report, {
        colour: output.wantColour(format, flags),
      });
    await output.writeOutput(text, checked.output);
    setExitCode(0);
  });
}
