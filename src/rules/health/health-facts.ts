/** What health and configuration rules read. */
import type { MachineFacts } from "../../facts/machine-facts.js";
import type { Snapshot } from "../../facts/snapshot.js";

export interface HealthFacts {
  snapshot: Snapshot;
  machine?: MachineFacts;
}
