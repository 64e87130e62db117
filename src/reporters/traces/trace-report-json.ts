import type { TraceReport } from "../../pipeline/analyze-traces.js";

/** The whole report; `dbopt traces --format json` asks the pipeline for only --top statements. */
export function renderTraceJson(report: TraceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
