/** What every rewrite reporter says the same way: a rewrite's verdict in words, its timings, its proof. */
import type { ProvenRewrite, RewriteReport } from "../../pipeline/rewrite-statements.js";
import { formatMs } from "../../util/format.js";

/** The verdict as a reader needs it: offered or not, and why. */
export function verdictLine(r: ProvenRewrite): string {
  if (r.verdict === "faster") return "faster: offered as a fix";
  if (r.verdict === "equivalent, not faster")
    return `equivalent, not faster${r.proof.reason ? ` (${r.proof.reason})` : ""}: not offered`;
  if (r.verdict === "refused: results differ")
    return `refused: results differ (${r.proof.reason}): never offered as a fix`;
  return `not proven (${r.proof.reason}): not offered`;
}

/** "original 52.1 ms (48.0–60.2) → rewritten 0.9 ms (0.8–1.1), 57.9× over 7 runs each". */
export function timingLine(r: ProvenRewrite): string | null {
  const t = r.proof.timing;
  if (!t) return null;
  const side = (s: { medianMs: number; minMs: number; maxMs: number }) =>
    `${formatMs(s.medianMs)} (${formatMs(s.minMs)}–${formatMs(s.maxMs)})`;
  return `original ${side(t.original)} → rewritten ${side(t.rewritten)}, ${speedup(t.speedup)} (medians of ${t.original.runs} alternating runs, min–max)`;
}

/** "same 200 rows, in order, for 5 parameter sets". */
export function proofLine(r: ProvenRewrite): string {
  const p = r.proof;
  if (!p.equal) return `rows: original ${p.rows.original}, rewritten ${p.rows.rewritten}`;
  const sets = p.parameterSets > 1 ? `, for each of ${p.parameterSets} parameter sets` : "";
  return `same ${p.rows.original} rows${p.ordered ? " in the same order" : " (as a multiset)"}${sets}`;
}

export function speedup(factor: number): string {
  if (!Number.isFinite(factor)) return "∞×";
  return `${factor >= 10 ? factor.toFixed(0) : factor.toFixed(2)}×`;
}

/** Counts for a summary line: how many statements, rewrites offered, equivalent, refused, not proven. */
export function tally(
  report: RewriteReport,
): Record<"statements" | "offered" | "equivalent" | "refused" | "unproven", number> {
  const all = report.statements.flatMap((s) => s.rewrites);
  return {
    statements: report.statements.length,
    offered: all.filter((r) => r.verdict === "faster").length,
    equivalent: all.filter((r) => r.verdict === "equivalent, not faster").length,
    refused: all.filter((r) => r.verdict === "refused: results differ").length,
    unproven: all.filter((r) => r.verdict === "not proven").length,
  };
}

/** What "proven" means, said once in every report. */
export const PROVEN_MEANS =
  "Proven means: on this database's data now, for the parameter values tried, both statements returned the same rows (compared by a hash of each row; in order when the statement has ORDER BY). It is not a proof for all data or all values.";
