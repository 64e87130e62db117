import type { TuneMachine } from "../advisors/settings/pgtune-baseline.js";
import { recommendSettings, type TuneReport } from "../advisors/settings/settings-advisor.js";

import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import type { Snapshot } from "../facts/snapshot.js";

export type { StorageKind, TuneMachine, WorkloadKind } from "../advisors/settings/pgtune-baseline.js";
export type { TuneReport } from "../advisors/settings/settings-advisor.js";

/**
 * `dbopt tune`: PGTune's formulas for the machine, adjusted by what a live database (or a snapshot of one) shows.
 * With neither, the machine's baseline alone.
 */
export async function tuneSettings(
  machine: TuneMachine,
  from: { db: PostgresConnector } | { snapshot: Snapshot; source: string } | null,
): Promise<TuneReport> {
  if (from === null) return recommendSettings(machine, null, null);
  if ("db" in from) return recommendSettings(machine, await collectSnapshot(from.db), from.db.target.display);
  return recommendSettings(machine, from.snapshot, from.source);
}
