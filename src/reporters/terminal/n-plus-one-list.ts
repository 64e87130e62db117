/** One N+1 pattern as terminal lines, the same for logs, traces and the runtime hook. */
import type { Severity } from "../../findings/finding.js";
import { formatMs } from "../../util/format.js";
import type { Palette } from "./palette.js";

export interface NPlusOneView {
  severity: Severity;
  wastedMs: number;
  totalMs: number;
  occurrences: number;
  repeats: { min: number; median: number; max: number };
  /** Where it happened: a parent span, a session, a unit of work. */
  where: string | null;
  source: string | null;
  repeated: string;
  /** Extra dim lines: example parameters, concurrency. */
  notes: string[];
  rewrite: string | null;
  /** batch: after a BEGIN or COMMIT, over no query's rows (the rule's verdict, with why). */
  kind?: "loop" | "batch";
  why?: string;
  /** The rule's fix in words (fitted to a loop or a batch, a read or a write). */
  fixNote?: string | null;
}

export function nPlusOneLines(n: NPlusOneView, p: Palette): string[] {
  const tone = n.severity === "error" ? p.red : n.severity === "warning" ? p.yellow : p.dim;
  const each =
    n.repeats.min === n.repeats.max
      ? `${n.repeats.min}`
      : `${n.repeats.min}–${n.repeats.max} (median ${n.repeats.median})`;
  const lines = [
    p.bold(
      tone(
        `${n.kind === "batch" ? "Batch, not N+1" : "N+1"} (${n.severity}, up to ${formatMs(n.wastedMs)} to save): ${n.occurrences} time${n.occurrences === 1 ? "" : "s"}, ${each} queries each, ${formatMs(n.totalMs)} in all`,
      ),
    ),
  ];
  if (n.where) lines.push(`  in:       ${n.where}`);
  lines.push(`  after:    ${n.source ? n.source.slice(0, 140) : p.dim("(no statement before it)")}`);
  lines.push(`  repeated: ${n.repeated.slice(0, 140)}`);
  for (const note of n.notes) lines.push(p.dim(`  ${note}`));
  if (n.kind === "batch" && n.why) lines.push(p.dim(`  why:      ${n.why}`));
  // The rule's own words when there is no rewrite: a batch or a loop of writes has no source rows to fetch.
  if (n.rewrite) {
    lines.push(
      `  ${p.green("fix:")} one query for the whole list: ${n.rewrite}  (${/\bANY ?\(|unnest\(/.test(n.rewrite) ? "pass the values as one array" : "one placeholder per value"})`,
    );
    if (n.fixNote) lines.push(p.dim(`       ${n.fixNote}`));
  } else
    lines.push(
      `  ${p.green("fix:")} ${n.fixNote ?? (n.kind === "batch" ? "send the values in one statement" : "fetch the rows for all the source rows at once (IN / ANY, or a JOIN with the source query)")}`,
    );
  lines.push("");
  return lines;
}
