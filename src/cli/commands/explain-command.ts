import type { Command } from "commander";
import { InputError } from "../../util/input-error.js";
import {
  addConnectionOptions,
  addOutputOptions,
  type ConnectionFlags,
  withConnection,
} from "../common-options.js";
import { checkFormat, emitReport, type OutputOptions } from "../output.js";
import { readStdin, readTextFile } from "../read-input.js";

interface ExplainFlags extends ConnectionFlags, OutputOptions {
  plan?: string;
  sql?: string;
  analyze?: boolean;
  snapshot?: string;
}

export function registerExplain(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("explain")
    .summary("analyse a query plan: tree, hot nodes, findings with fixes")
    .description(
      "Analyse an EXPLAIN plan given as a file or on standard input (text or JSON, as psql prints it), or run EXPLAIN for a statement on a database (--sql or a .sql file).",
    )
    .argument("[file]", "plan file, or .sql file with one statement ('-' for standard input)")
    .option("--plan <file>", "plan file (EXPLAIN text or JSON output)")
    .option("--sql <statement>", "statement to explain on the database")
    .option("--analyze", "run the statement (EXPLAIN ANALYZE, BUFFERS); data changes are rolled back")
    .option("--snapshot <file>", "schema facts from `dbopt snapshot`, to tailor fixes to existing indexes");
  addConnectionOptions(command);
  addOutputOptions(command);
  command.action(async (file: string | undefined, flags: ExplainFlags) => {
    const { collectSnapshot } = await import("../../facts/collect/collect-snapshot.js");
    const { parsePlan } = await import("../../facts/plan/plan-input.js");
    const { readSnapshot } = await import("../../facts/snapshot-file.js");
    const { looksLikeSql } = await import("../../facts/sql/statement-kind.js");
    const { explainOnDatabase } = await import("../../pipeline/explain-on-database.js");
    const { reportOnPlan } = await import("../../pipeline/plan-report.js");
    checkFormat(flags.format);
    const path = flags.plan ?? file;
    let sql = flags.sql ?? null;
    let planText: string | null = null;
    if (!sql) {
      const text = path && path !== "-" ? await readTextFile(path) : await readStdin("plan");
      if (path?.endsWith(".sql")) sql = text;
      else planText = text;
    }
    if (sql !== null) {
      const statement = sql;
      const report = await withConnection(flags, async (db) => {
        const snapshot = flags.snapshot
          ? await readSnapshot(flags.snapshot)
          : await collectSnapshot(db, { statementLimit: 0 });
        const run = await explainOnDatabase(db, statement, { analyze: Boolean(flags.analyze) });
        const how =
          run.method === "analyze"
            ? run.rolledBack
              ? "EXPLAIN ANALYZE, rolled back"
              : "EXPLAIN ANALYZE"
            : run.method === "estimate"
              ? "EXPLAIN"
              : "generic plan";
        return reportOnPlan(run.plan, { source: `${db.target.display} (${how})`, sql: statement, snapshot });
      });
      setExitCode(await emitReport(report, flags));
      return;
    }
    const snapshot = flags.snapshot ? await readSnapshot(flags.snapshot) : null;
    let plan: ReturnType<typeof parsePlan>;
    try {
      plan = parsePlan(planText ?? "");
    } catch (error) {
      if (error instanceof InputError && planText && looksLikeSql(planText)) {
        throw new InputError(
          "the input is SQL, not a plan",
          "pass it with --sql (or as a .sql file) together with --db",
        );
      }
      throw error;
    }
    const report = reportOnPlan(plan, { source: path && path !== "-" ? path : "standard input", snapshot });
    setExitCode(await emitReport(report, flags));
  });
}
