import type { Severity } from "../../findings/finding.js";

/** Severity from wasted bytes: an absolute size, or a share of the database. */
export function severityFromBytes(bytes: number, databaseBytes: number): Severity {
  const share = databaseBytes > 0 ? bytes / databaseBytes : 0;
  if (bytes >= 10 * 1024 ** 3 || share >= 0.25) return "error";
  if (bytes >= 100 * 1024 ** 2 || share >= 0.05) return "warning";
  return "info";
}
