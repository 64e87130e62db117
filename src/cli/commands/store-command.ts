import type { Command } from "commander";
import { parseOptions } from "../option-schemas.js";

interface ImportFlags {
  store?: string;
  target?: string;
}

export interface ExportFlags {
  store?: string;
  db: string;
  at?: string;
  out: string;
}

const STORE_HELP = "PostgreSQL URL of the history store (default: the embedded store in $DBOPT_HOME)";

export function registerStore(program: Command): void {
  const store = program
    .command("store")
    .summary("move snapshot files into and out of the history store")
    .description(
      "Offline work and the history store meet here: dbopt snapshot files become samples in the store, and any stored sample becomes a snapshot file that dbopt check --snapshot and dbopt diff read.",
    );
  store
    .command("import")
    .summary("write snapshot files into the history store, one sample each")
    .description(
      "Write each snapshot file (dbopt snapshot --out) into the history store as one sample of its database, oldest first: statement counters become deltas against the previous sample as for a collected one (resets and evictions included); tables, indexes, settings and database counters as they were. A snapshot holds no plans or waits. The target is named imported/<database> unless --target names it (user@host:port/database, to join the samples dbopt collect took of the same database).",
    )
    .argument("<files...>", "snapshot files")
    .option("--store <url>", STORE_HELP)
    .option("--target <address>", "the target to add the samples to (default: imported/<database>)")
    .option("--debug", "show stack traces and details of errors")
    .action(async (files: string[], flags: ImportFlags) => {
      const checked = await parseOptions("store import", { files, ...flags }, (k) => ({
        files: k.z.array(k.inputFile("a snapshot file")),
        store: k.postgresUrl("--store").optional(),
        target: k.text("--target").optional(),
      }));
      const { importSnapshots } = await import("../../pipeline/store-snapshots.js");
      const report = await importSnapshots({
        files: checked.files,
        store: checked.store,
        target: checked.target,
        onProgress: (message) => process.stderr.write(`  … ${message}\n`),
      });
      for (const s of report.samples)
        process.stderr.write(
          `${s.takenAt.toISOString()} ${s.target}: ${s.file}, ${s.statements} statements${s.first ? " (first sample: deltas start with the next one)" : ""}\n`,
        );
      process.stderr.write(`imported ${report.samples.length} snapshot(s) into ${report.store}\n`);
    });
  store
    .command("export")
    .summary("write a stored sample out as a snapshot file")
    .description(
      "Write the sample of a database nearest to --at (default: the latest) as a snapshot file that dbopt check --snapshot and dbopt diff read: tables and indexes with sizes and counters, settings, database counters, and each statement's cumulative pg_stat_statements counters as they were then. The store keeps no columns, constraints or column statistics: checks that need them have nothing to read in the file.",
    )
    .requiredOption("--db <name>", "the database in the store: its name or user@host:port/database")
    .requiredOption("--out <file>", "file to write")
    .option("--at <time>", "the time of the sample (2026-11-26T14:00, UTC unless a zone is given)")
    .option("--store <url>", STORE_HELP)
    .option("--debug", "show stack traces and details of errors")
    .action(async (flags: ExportFlags) => {
      await exportSampleToFile(flags);
    });
}

/** `dbopt store export` and `dbopt snapshot --from-store`: the stored sample nearest --at, written to --out. */
export async function exportSampleToFile(flags: ExportFlags, command = "store export"): Promise<void> {
  const checked = await parseOptions(command, { ...flags }, (k) => ({
    db: k.text("--db"),
    out: k.outputFile("--out"),
    at: k.instant("--at").optional(),
    store: k.postgresUrl("--store").optional(),
  }));
  const [{ exportStoreSample }, { writeSnapshot }, { writingTo }] = await Promise.all([
    import("../../pipeline/store-snapshots.js"),
    import("../../facts/snapshot-file.js"),
    import("../output.js"),
  ]);
  let target = checked.db;
  if (/^postgres(ql)?:\/\//i.test(target)) {
    const { resolveTarget } = await import("../../connectors/postgres/target.js");
    target = resolveTarget({ db: target }).display;
  }
  const report = await exportStoreSample({
    store: checked.store,
    target,
    at: checked.at === undefined ? new Date(8.64e15) : new Date(checked.at),
    onProgress: (message) => process.stderr.write(`  … ${message}\n`),
  });
  await writingTo(checked.out, "the snapshot", "choose another path with --out", () =>
    writeSnapshot(checked.out, report.snapshot),
  );
  const s = report.snapshot;
  process.stderr.write(
    `wrote ${checked.out}: the sample of ${report.target} taken at ${report.takenAt.toISOString()}, ${s.tables.length} tables, ${s.indexes.length} indexes, ${s.workload.statements.length} statements\n`,
  );
  for (const n of report.notes) process.stderr.write(`note: ${n}\n`);
  process.stderr.write(
    `note: the store does not keep ${report.notInStore.join(", ")}: the file holds none\n`,
  );
}
