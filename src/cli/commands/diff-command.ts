import type { Command } from "commander";
import { SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { InputError } from "../../util/input-error.js";
import { EXIT } from "../exit-codes.js";
import { outputChecks, parseOptions } from "../option-schemas.js";

interface DiffFlags {
  store?: string;
  db?: string;
  from?: string;
  to?: string;
  format?: string;
  output?: string;
  color?: boolean;
  failOn?: string;
}

export function registerDiff(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("diff")
    .summary("what changed between two snapshots or two times in the history store, and what got slower")
    .argument("[before]", "snapshot file (dbopt snapshot --out), the earlier one")
    .argument("[after]", "snapshot file, the later one")
    .description(
      "Compare two snapshot files, or two times of one database in the history store (--db NAME --from T1 [--to T2]). Per statement, matched by queryid and else by fingerprint: calls, mean, total, rows, shared blocks read and temporary bytes, before and after; statements new and gone; plan changes (store times, which keep generic plans); indexes added, dropped or newly unused; settings changed; tables that grew; statistics re-analyzed. A statement whose mean got slower beyond noise (Welch's t-test) is a finding with its most likely cause, ranked by the time it added. From snapshot files, 'after' is what ran between the two snapshots; from the store, 'after' is (T1, T2] and 'before' the window of the same length ending at T1.",
    )
    .option(
      "--store <url>",
      "PostgreSQL URL of the history store (default: the embedded store in $DBOPT_HOME)",
    )
    .option(
      "--db <name>",
      "the database in the store: its name, user@host:port/database, or the URL given to dbopt collect",
    )
    .option(
      "--from <time>",
      "the store time of the before side (2026-11-26T14:00, UTC unless a zone is given)",
    )
    .option("--to <time>", "the store time of the after side (default: the latest sample)")
    .option("--format <format>", "terminal, json, markdown or html", "terminal")
    .option("-o, --output <file>", "write the report to a file")
    .option("--no-color", "no colour in the terminal report")
    .option("--fail-on <severity>", "exit 1 when a regression is at least this severe (warning, error)")
    .option("--debug", "show stack traces and details of errors")
    .action(async (before: string | undefined, after: string | undefined, flags: DiffFlags) => {
      const checked = await parseOptions("diff", { ...flags, before, after }, (k) => ({
        before: k.inputFile("snapshot file").optional(),
        after: k.inputFile("snapshot file").optional(),
        store: k.postgresUrl("--store").optional(),
        db: k.text("--db").optional(),
        from: k.instant("--from").optional(),
        to: k.instant("--to").optional(),
        ...outputChecks(k, ["terminal", "json", "markdown", "html"] as const),
        color: k.z.boolean().optional(),
      }));
      const storeMode = checked.from !== undefined || checked.db !== undefined || checked.store !== undefined;
      if (storeMode && (checked.before || checked.after))
        throw new InputError(
          "dbopt diff compares either two snapshot files or two store times, not both",
          "pass two files (dbopt diff before.json after.json) or --db NAME --from T1 [--to T2]",
        );
      if (!storeMode && !(checked.before && checked.after))
        throw new InputError(
          "dbopt diff needs two snapshot files, or a database and times in the history store",
          "dbopt diff before.json after.json, or dbopt diff --db NAME --from 2026-11-26T14:00 [--to ...] [--store URL]",
        );
      if (storeMode && (checked.db === undefined || checked.from === undefined))
        throw new InputError(
          `dbopt diff on the history store needs ${checked.db === undefined ? "--db" : "--from"}`,
          "dbopt diff --db NAME --from 2026-11-26T14:00 [--to ...] [--store URL]",
        );
      if (checked.from !== undefined && checked.to !== undefined && checked.to <= checked.from)
        throw new InputError("--to must be later than --from", "swap the two times");
      const [{ diffSnapshots }, output] = await Promise.all([
        import("../../pipeline/diff-snapshots.js"),
        import("../output.js"),
      ]);
      let target = checked.db ?? "";
      if (/^postgres(ql)?:\/\//i.test(target)) {
        const { resolveTarget } = await import("../../connectors/postgres/target.js");
        target = resolveTarget({ db: target }).display;
      }
      const report = await diffSnapshots(
        storeMode
          ? {
              store: checked.store,
              target,
              from: new Date(checked.from as number),
              to: checked.to === undefined ? undefined : new Date(checked.to),
            }
          : { snapshots: [checked.before as string, checked.after as string] },
        { onProgress: (message) => process.stderr.write(`  … ${message}\n`) },
      );
      const format = checked.format ?? "terminal";
      let text: string;
      if (format === "json")
        text = (await import("../../reporters/diff/diff-json.js")).renderDiffJson(report);
      else if (format === "markdown")
        text = (await import("../../reporters/diff/diff-markdown.js")).renderDiffMarkdown(report);
      else if (format === "html")
        text = (await import("../../reporters/diff/diff-html.js")).renderDiffHtml(report);
      else
        text = (await import("../../reporters/diff/diff-terminal.js")).renderDiffTerminal(report, {
          colour: output.wantColour(format, flags),
        });
      await output.writeOutput(text, checked.output);
      const failOn = checked.failOn as Severity | undefined;
      if (failOn === undefined) return;
      const hit = report.findings.some((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[failOn]);
      setExitCode(hit ? EXIT.findings : EXIT.ok);
    });
}
