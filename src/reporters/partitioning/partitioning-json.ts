import type { PartitioningReport } from "../../pipeline/advise-partitioning.js";

export function renderPartitioningJson(report: PartitioningReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
