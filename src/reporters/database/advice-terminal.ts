import type { AdviceReport, ApplyOutcome } from "../../pipeline/advise-database.js";
import { formatBytes, formatMs, formatPercent } from "../../util/format.js";
import type { Palette } from "../terminal/palette.js";

/** The index advice: each recommendation with the statements it helps and by how much, then drops and notes. */
export function adviceLines(report: AdviceReport, p: Palette): string[] {
  const w = report.workload;
  const how = report.whatIf === "hypopg" ? "HypoPG hypothetical indexes" : "real indexes on the sandbox";
  const lines = [
    p.bold(`dbopt advise: ${report.target}`) +
      p.dim(
        `  ${w.statements} statements (${w.planning.bound} with typical parameter values, ${w.planning.generic} generic plans, ${w.planning.literal} as written), ${report.candidates} candidates, ${report.whatIfCalls} what-if plans (${report.whatIfCacheHits} cached) through ${how}, ${formatMs(report.elapsedMs)}`,
      ),
    ...report.notes.map((n) => p.yellow(`note: ${n}`)),
    "",
  ];
  if (w.statements === 0)
    lines.push(p.yellow("No statement of the workload could be costed, so there is no index advice."), "");
  else if (report.recommendations.length === 0)
    lines.push(
      p.green(
        `No new index would help ${(report.unplanned?.length ?? 0) > 0 ? `the ${w.statements} statements that could be planned` : "this workload"} enough.`,
      ),
      "",
    );
  else {
    lines.push(
      p.bold(
        `Recommended: ${report.recommendations.length} index${report.recommendations.length === 1 ? "" : "es"}, workload estimated ${formatPercent(w.improvement, 1)} cheaper`,
      ) + p.dim(` (${formatMs(w.costBefore)} → ${formatMs(w.costAfter)} of statement time)`),
      "",
    );
  }
  report.recommendations.forEach((r, i) => {
    // A partitioned table's recipe is several statements, one a line, run in order.
    const [first, ...rest] = r.ddl.split("\n");
    lines.push(
      `${String(i + 1).padStart(3)}. ${p.green(first ?? "")}`,
      ...rest.map((l) => `     ${p.green(l)}`),
    );
    if (r.partitioned)
      lines.push(
        `       ${p.dim(`partitioned table: CREATE INDEX CONCURRENTLY cannot run on it, so the index is made ON ONLY the parent, built CONCURRENTLY on each of its ${r.partitioned.leafPartitions} partitions and attached; the last ATTACH makes it valid`)}`,
      );
    lines.push(
      `       ${p.dim(`${r.reason}; ${formatBytes(r.sizeBytes)}; saves about ${formatMs(r.benefitMs)}, costs the writes about ${formatMs(r.writeChargeMs)}${r.breaksHotOn.length ? `; updates of ${r.breaksHotOn.join(", ")} would no longer be HOT` : ""}`)}`,
    );
    for (const q of r.queries.slice(0, 5)) {
      const text = q.query.replace(/\s+/g, " ");
      lines.push(
        `       cost ${q.costBefore.toFixed(0).padStart(9)} → ${q.costAfter.toFixed(0).padEnd(9)} ${p.dim(text.length > 90 ? `${text.slice(0, 87)}...` : text)}`,
      );
    }
    if (r.measured)
      for (const m of r.measured)
        lines.push(`       measured ${formatMs(m.beforeMs)} → ${formatMs(m.afterMs)}`);
    lines.push("");
  });
  if (report.drops.length) {
    lines.push(p.bold("Then drop"), "");
    for (const d of report.drops) lines.push(`     ${p.green(d.ddl)}`, `       ${p.dim(d.reason)}`);
    lines.push("");
  }
  if (report.unmeasured.length) {
    lines.push(p.bold("Not measured"), "");
    for (const u of report.unmeasured)
      lines.push(`     ${u.ddl}`, `       ${p.dim(`${u.reason}. ${u.why}`)}`);
    lines.push("");
  }
  if (report.apply) lines.push(...applyLines(report.apply, p));
  else if (report.applied.length)
    lines.push(p.bold("Applied"), ...report.applied.map((a) => `     ${a}`), "");
  return lines;
}

const STATUS: Record<ApplyOutcome["status"], string> = {
  built: "built",
  "already-existed": "already there",
  failed: "FAILED",
  "not-started": "not started",
  dropped: "dropped",
  kept: "kept",
};

/** What --apply did to every index: built, already there, failed (with what was left behind), dropped, kept. */
function applyLines(apply: NonNullable<AdviceReport["apply"]>, p: Palette): string[] {
  const built = apply.outcomes.filter((o) => o.status === "built").length;
  const failed = apply.outcomes.filter((o) => o.status === "failed" || o.status === "not-started").length;
  const lines = [
    p.bold(
      `Applied: ${built} built${failed ? `, ${failed} not done` : ""}${apply.interrupted ? ` (interrupted: ${apply.interrupted})` : ""}`,
    ),
    "",
  ];
  for (const o of apply.outcomes) {
    const status = STATUS[o.status].padEnd(13);
    const paint =
      o.status === "failed" || o.status === "not-started" ? p.red : o.status === "kept" ? p.yellow : p.green;
    lines.push(`     ${paint(status)} ${o.name}`);
    if (o.detail) lines.push(`       ${p.dim(o.detail)}`);
    if (o.cleanup) lines.push(`       ${p.yellow(`left behind; to remove it run: ${o.cleanup}`)}`);
  }
  lines.push("");
  return lines;
}
