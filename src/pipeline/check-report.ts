import type { Finding } from "../findings/finding.js";

export interface CheckReport {
  kind: "check";
  target: string;
  server: { version: string; database: string };
  capturedAt: string;
  /** How long the statistics counters have been collecting, in seconds (null when unknown). */
  statsAgeSeconds: number | null;
  findings: Finding[];
  /** Checks that could not run fully, and what would let them. */
  notes: string[];
}

/** The order check results are shown in. */
export const CHECK_GROUPS = ["indexes", "tables", "maintenance", "activity", "workload", "settings"] as const;
