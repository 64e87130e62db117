import type { ScalingReport } from "../../pipeline/advise-scaling.js";

export function renderScalingJson(report: ScalingReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
