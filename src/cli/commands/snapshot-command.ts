import type { Command } from "commander";
import { formatBytes } from "../../util/format.js";
import { addConnectionOptions, type ConnectionFlags, withConnection } from "../common-options.js";
import { connectionChecks, parseOptions } from "../option-schemas.js";
import { writingTo } from "../output.js";

interface SnapshotFlags extends ConnectionFlags {
  out: string;
  statements?: string;
  fromStore?: boolean;
  store?: string;
  at?: string;
}

export function registerSnapshot(program: Command): void {
  const command = program
    .command("snapshot")
    .summary("save schema, statistics, settings and workload to a JSON file")
    .description(
      "Collect every fact dbopt uses, read-only, into one JSON file that commands accept with --snapshot.",
    )
    .requiredOption("--out <file>", "file to write")
    .option("--statements <n>", "statements to keep from pg_stat_statements, by total time", "200")
    .option(
      "--from-store",
      "write the history store's sample of --db (a database name or user@host:port/database) nearest --at instead of reading a database (as dbopt store export)",
    )
    .option(
      "--store <url>",
      "with --from-store: PostgreSQL URL of the history store (default: the embedded store)",
    )
    .option("--at <time>", "with --from-store: the time of the sample (default: the latest)")
    .option("--debug", "show stack traces and details of errors");
  addConnectionOptions(command);
  command.action(async (flags: SnapshotFlags) => {
    if (flags.fromStore) {
      const { exportSampleToFile } = await import("./store-command.js");
      await exportSampleToFile(
        {
          db: flags.db ?? "",
          out: flags.out,
          ...(flags.at ? { at: flags.at } : {}),
          ...(flags.store ? { store: flags.store } : {}),
        },
        "snapshot",
      );
      return;
    }
    const checked = await parseOptions("snapshot", { ...flags }, (k) => ({
      out: k.outputFile("--out"),
      statements: k.wholeNumber("--statements", 0, 100_000),
      ...connectionChecks(k),
    }));
    const { writeSnapshot } = await import("../../facts/snapshot-file.js");
    const { takeSnapshot } = await import("../../pipeline/take-snapshot.js");
    const snapshot = await withConnection(flags, (db) =>
      takeSnapshot(db, { statements: checked.statements }),
    );
    await writingTo(checked.out, "the snapshot", "choose another path with --out", () =>
      writeSnapshot(checked.out, snapshot),
    );
    process.stderr.write(
      `wrote ${flags.out}: ${snapshot.tables.length} tables, ${snapshot.indexes.length} indexes, ` +
        `${snapshot.workload.statements.length} statements, database ${formatBytes(snapshot.database.sizeBytes)}` +
        `${snapshot.workload.problem ? ` (no workload: ${snapshot.workload.problem})` : ""}\n`,
    );
    for (const s of snapshot.skipped ?? [])
      process.stderr.write(`skipped ${s.kind} ${s.schema}.${s.name} (not in the snapshot): ${s.reason}\n`);
  });
}
