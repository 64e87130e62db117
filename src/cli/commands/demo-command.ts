import type { Command } from "commander";
import { DEMO_TABLE_ROWS } from "../../demo/demo-schema.sql.js";
import { formatCount } from "../../util/format.js";
import { addOutputOptions, progressReporter } from "../common-options.js";
import { outputChecks, parseOptions } from "../option-schemas.js";
import { emitReport, FORMATS, type OutputOptions } from "../output.js";

interface DemoFlags extends OutputOptions {
  keep?: boolean;
}

const INTRO = `dbopt demo: a private PostgreSQL 18 with a small multi-tenant shop (${formatCount(
  Object.values(DEMO_TABLE_ROWS).reduce((a, b) => a + b, 0),
)} rows in 6 tables) and the mistakes young applications make:
log-in by lower(email) without an expression index, order history without an index on orders.customer_id,
an N+1 loop over customers, and an OFFSET report that sorts more than work_mem. Then \`dbopt analyze\` finds them.
`;

const OUTRO = `What you see: the statements pg_stat_statements recorded, heaviest first, then every finding ranked by
the time it costs. Each finding names its evidence (rows read vs kept, bytes spilled, calls) and the exact fix;
the fixes are not applied. Run \`dbopt demo --keep\` to keep the server and try \`dbopt explain --sql ... --analyze\`.
`;

export function registerDemo(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("demo")
    .summary("run the whole analysis on an embedded PostgreSQL 18 with a demo shop")
    .description(
      "Start an embedded PostgreSQL 18, build a demo application database with real performance problems, drive its workload, and analyse it. Needs nothing installed.",
    )
    .option("--keep", "leave the server running and print its URL, until Ctrl-C");
  addOutputOptions(command);
  command.action(async (flags: DemoFlags) => {
    await parseOptions("demo", { ...flags }, (k) => outputChecks(k, FORMATS));
    const { runDemo } = await import("../../pipeline/run-demo.js");
    const terminal = (flags.format ?? "terminal") === "terminal";
    const progress = progressReporter(true);
    const started = Date.now();
    if (terminal) process.stderr.write(`${INTRO}\n`);
    const demo = await runDemo(progress);
    try {
      progress(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stderr.write("\n");
      setExitCode(await emitReport(demo.report, flags));
      if (terminal) process.stderr.write(`\n${OUTRO}`);
      if (flags.keep) {
        process.stderr.write(
          `\nThe demo server keeps running at ${demo.url}\nTry: dbopt analyze --db ${demo.url}\nPress Ctrl-C to stop it.\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
      }
    } finally {
      await demo.stop();
    }
  });
}
