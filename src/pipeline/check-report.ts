import type { Finding } from "../findings/finding.js";

export interface CheckReport {
  kind: "check";
  target: string;
  server: { version: string; database: string };
  capturedAt: string;
  /** How long the statistics counters have been collecting, in seconds (null when unknown). */
  statsAgeSeconds: number | null;
  /** Ranked (findings/ranking.ts): risks, then what costs statement time, then hygiene; one item per fix. */
  findings: Finding[];
  /** Checks that could not run fully, and what would let them. */
  notes: string[];
}
