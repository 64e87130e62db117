import { basename } from "node:path";
import type { Snapshot } from "../facts/snapshot.js";
import { readSnapshot } from "../facts/snapshot-file.js";
import { type ExportedSample, exportSample, NOT_IN_STORE } from "../store/export-sample.js";
import { type ImportedSample, importSnapshot } from "../store/import-snapshot.js";
import { openExistingStore } from "../store/open-existing-store.js";
import { openStore } from "../store/open-store.js";
import { storedTarget } from "../store/read-sample-objects.js";
import { migrateStore } from "../store/store-migrations.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser } from "../util/sql-parser.js";

export interface StoreLocation {
  /** A team store (postgresql://...); else the embedded store in `home`. */
  store?: string | undefined;
  home?: string;
  onProgress?: (message: string) => void;
}

export interface ImportReport {
  store: string;
  samples: ImportedSample[];
}

/**
 * `dbopt store import FILE...`: snapshot files (dbopt snapshot --out) written into the history store, each as one
 * sample of its target, oldest first. The target is `target` (an address such as user@host:port/database, to
 * join the samples a collector took of the same database) or, by default, "imported/<database>".
 */
export async function importSnapshots(
  options: StoreLocation & {
    files: (string | { snapshot: Snapshot; name: string })[];
    target?: string | undefined;
  },
): Promise<ImportReport> {
  await loadSqlParser();
  const snapshots = [];
  for (const f of options.files)
    snapshots.push(typeof f === "string" ? { snapshot: await readSnapshot(f), name: f } : f);
  snapshots.sort((a, b) => Date.parse(a.snapshot.capturedAt) - Date.parse(b.snapshot.capturedAt));
  const databases = new Set(snapshots.map((s) => s.snapshot.server.database));
  if (!options.target && databases.size > 1)
    throw new InputError(
      `the snapshots are of ${databases.size} databases (${[...databases].join(", ")}): import each database's files in their own run`,
      "or name one target for all with --target",
    );
  const opened = await openStore({
    url: options.store,
    ...(options.home ? { home: options.home } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  try {
    await migrateStore(opened.store);
    const report: ImportReport = { store: opened.description, samples: [] };
    for (const s of snapshots) {
      const address = options.target ?? `imported/${s.snapshot.server.database}`;
      report.samples.push(
        await importSnapshot(opened.store, s.snapshot, { file: basename(s.name), address }),
      );
    }
    return report;
  } finally {
    await opened.close();
  }
}

export interface ExportReport extends ExportedSample {
  store: string;
  target: string;
  /** What the store does not keep, so the snapshot does not hold. */
  notInStore: readonly string[];
}

/**
 * `dbopt store export`: the sample of a target nearest to `at` as a snapshot file `dbopt check --snapshot` and
 * `dbopt diff` read (store/export-sample.ts). Columns, constraints and column statistics are not in the store.
 */
export async function exportStoreSample(
  options: StoreLocation & { target: string; at: Date },
): Promise<ExportReport> {
  const opened = await openExistingStore({
    url: options.store,
    home: options.home,
    onProgress: options.onProgress,
  });
  try {
    const target = await storedTarget(opened.store, options.target);
    const exported = await exportSample(opened.store, target, options.at);
    if (!exported)
      throw new InputError(
        `the history store has no sample of ${target.address}`,
        "run dbopt collect on it, or dbopt store import a snapshot of it",
      );
    return { ...exported, store: opened.description, target: target.address, notInStore: NOT_IN_STORE };
  } finally {
    await opened.close();
  }
}
