import type { DiffSide } from "../facts/diff-side.js";
import type { Snapshot } from "../facts/snapshot.js";
import { readSnapshot } from "../facts/snapshot-file.js";
import { openExistingStore } from "../store/open-existing-store.js";
import { storedTarget } from "../store/read-sample-objects.js";
import { readStoreSides } from "../store/read-store-sides.js";
import { DEFAULT_THRESHOLDS, type RegressionThresholds } from "../store/window-statistics.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { compareSides } from "./diff/compare-sides.js";
import type { DiffReport } from "./diff/diff-report.js";
import { snapshotSides } from "./diff/snapshot-sides.js";

export type * from "./diff/diff-report.js";

export type DiffSource =
  /** Two snapshot files (`dbopt snapshot --out`), or two snapshots already read; the earlier one is "before". */
  | { snapshots: [string | Snapshot, string | Snapshot] }
  /** Two times of one target in the history store: a team store URL, else the embedded store in `home`. */
  | {
      store: string | undefined;
      home?: string;
      /** The target: its address (user@host:port/database) or database name. */
      target: string;
      from: Date;
      /** Default: the target's latest sample. */
      to?: Date | undefined;
    };

export interface DiffOptions {
  thresholds?: Partial<RegressionThresholds>;
  onProgress?: (message: string) => void;
}

/**
 * `dbopt diff A B`: what changed between two snapshot files or two times in the history store, per statement
 * (matched by queryid, else fingerprint: calls, mean, total, rows, shared blocks read and temporary bytes, before
 * and after), statements new and gone, plan changes (store times), indexes added, dropped or newly unused,
 * settings changed, tables that grew, statistics re-analyzed; each statement slower beyond noise is a finding with
 * its evidence and most likely cause, ranked by the time it added.
 */
export async function diffSnapshots(source: DiffSource, options: DiffOptions = {}): Promise<DiffReport> {
  await loadSqlParser();
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const sides = "snapshots" in source ? await fileSides(source.snapshots) : await storeSides(source, options);
  return compareSides(sides.before, sides.after, thresholds);
}

async function fileSides(
  pair: [string | Snapshot, string | Snapshot],
): Promise<{ before: DiffSide; after: DiffSide }> {
  const read = async (s: string | Snapshot, n: number) =>
    typeof s === "string"
      ? { snapshot: await readSnapshot(s), label: s }
      : { snapshot: s, label: `snapshot ${n} (${s.capturedAt})` };
  return snapshotSides(await read(pair[0], 1), await read(pair[1], 2));
}

async function storeSides(
  source: Extract<DiffSource, { store: string | undefined }>,
  options: DiffOptions,
): Promise<{ before: DiffSide; after: DiffSide }> {
  const opened = await openExistingStore({
    url: source.store,
    home: source.home,
    onProgress: options.onProgress,
  });
  try {
    const target = await storedTarget(opened.store, source.target);
    return await readStoreSides(opened.store, target, source.from, source.to ?? null);
  } finally {
    await opened.close();
  }
}
