import type { DiffReport } from "../../pipeline/diff-snapshots.js";
import { stringifyJson } from "../../util/json-text.js";

/** The diff as it is: both sides, every comparison, the changes found and the regressions with their evidence. */
export function renderDiffJson(report: DiffReport): string {
  return `${stringifyJson(report, 2)}\n`;
}
