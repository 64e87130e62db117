import type { BenchReport } from "../../pipeline/bench-workload.js";
import { stringifyJson } from "../../util/json-text.js";

/** The bench report as it is: settings, statements with their parameter sources, figures and verdicts. */
export function renderBenchJson(report: BenchReport): string {
  return `${stringifyJson(report, 2)}\n`;
}
