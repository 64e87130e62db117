import type { Command } from "commander";
import { SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { EXIT } from "../exit-codes.js";
import { parseOptions, regressionsChecks } from "../option-schemas.js";

interface RegressionsFlags {
  store?: string;
  db?: string;
  target?: string;
  since: string;
  baseline: string;
  format?: string;
  output?: string;
  color?: boolean;
  failOn?: string;
}

export function registerRegressions(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("regressions")
    .summary("statements that got slower, beyond noise, with their cause (from the history store)")
    .description(
      "Compare each statement's mean time in the recent window (--since, ending at the last sample) with the baseline window before it (--baseline), from the samples dbopt collect stored. A statement is flagged only when Welch's t-test on the calls, means and stddevs says the change is beyond noise, and by enough to matter; each regression names its most likely cause: a plan change (and where the plans diverge), an index the old plan used that was dropped, statistics re-analyzed, a setting changed, tables that grew. New and gone statements are listed too.",
    )
    .option(
      "--store <url>",
      "PostgreSQL URL of the history store (default: the embedded store in $DBOPT_HOME)",
    )
    .option("--db <url>", "only this database (its URL as given to dbopt collect)")
    .option("--target <name>", "only this database, by its name or user@host:port/database")
    .option(
      "--since <period>",
      "the recent window: a period before the last sample (30min, 1h, 2d) or a time",
      "1h",
    )
    .option("--baseline <period>", "the baseline window right before it (7d, 24h)", "7d")
    .option("--format <format>", "terminal, json, markdown or html", "terminal")
    .option("-o, --output <file>", "write the report to a file")
    .option("--no-color", "no colour in the terminal report")
    .option("--fail-on <severity>", "exit 1 when a regression is at least this severe (warning, error)")
    .action(async (flags: RegressionsFlags) => {
      const checked = await parseOptions("regressions", { ...flags }, regressionsChecks);
      const [{ findRegressions }, output] = await Promise.all([
        import("../../pipeline/find-regressions.js"),
        import("../output.js"),
      ]);
      let target = checked.target;
      if (checked.db) {
        const { resolveTarget } = await import("../../connectors/postgres/target.js");
        target = resolveTarget({ db: checked.db }).display;
      }
      const report = await findRegressions({
        store: checked.store,
        target,
        since: checked.since,
        baselineMs: checked.baseline ?? 7 * 86_400_000,
        onProgress: (message) => process.stderr.write(`  … ${message}\n`),
      });
      const format = checked.format ?? "terminal";
      let text: string;
      if (format === "json")
        text = (await import("../../reporters/regressions/regressions-json.js")).renderRegressionsJson(
          report,
        );
      else if (format === "html")
        text = (await import("../../reporters/regressions/regressions-html.js")).renderRegressionsHtml(
          report,
        );
      else if (format === "markdown")
        text = (
          await import("../../reporters/regressions/regressions-markdown.js")
        ).renderRegressionsMarkdown(report);
      else
        text = (
          await import("../../reporters/regressions/regressions-terminal.js")
        ).renderRegressionsTerminal(report, {
          colour: output.wantColour(format, flags),
        });
      await output.writeOutput(text, checked.output);
      const failOn = checked.failOn as Severity | undefined;
      if (failOn === undefined) return;
      const hit = report.targets.some((t) =>
        t.findings.some((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[failOn]),
      );
      setExitCode(hit ? EXIT.findings : EXIT.ok);
    });
}
