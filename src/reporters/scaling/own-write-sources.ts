import { sourceText } from "../../facts/scaling/trace-own-writes.js";
import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { oneLine } from "../../util/format.js";

export interface OwnWriteRead {
  query: string;
  /** "12 of 40 runs" */
  runs: string;
  /** One line per example: where the read ran, and the write it followed. */
  sources: string[];
}

/**
 * The reads judged to read their own writes, for every format: the statement, how often, and the log lines or
 * trace spans of its first such runs with the writes they followed (the report keeps up to three each).
 */
export function ownWriteReads(report: ScalingReport, limit = 10): OwnWriteRead[] {
  return (report.ownWriteReads ?? []).slice(0, limit).map((r) => ({
    query: oneLine(r.query, 120),
    runs: `${r.after} of ${r.seen} runs`,
    sources: r.examples.map(
      (e) => `${sourceText(e.read)}${e.write ? ` after the write at ${sourceText(e.write)}` : ""}`,
    ),
  }));
}
