import type { RegressionsReport } from "../../pipeline/find-regressions.js";
import { stringifyJson } from "../../util/json-text.js";

/** The regressions report as it is: targets, windows, findings with evidence, new and gone statements. */
export function renderRegressionsJson(report: RegressionsReport): string {
  return `${stringifyJson({ kind: "regressions", ...report }, 2)}\n`;
}
