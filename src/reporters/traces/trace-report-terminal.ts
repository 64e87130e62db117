/** Output of `dbopt traces`: N+1 patterns per parent span, sequential or concurrent, then statements by time. */
import type { TraceReport } from "../../pipeline/analyze-traces.js";
import { formatMs } from "../../util/format.js";
import { nPlusOneLines } from "../terminal/n-plus-one-list.js";
import { createPalette } from "../terminal/palette.js";

export function renderTraceTerminal(report: TraceReport, colour = false, top = 15): string {
  const p = createPalette(colour);
  const lines = [
    p.bold(`dbopt traces: ${report.files.join(", ")}`),
    `${report.spans.toLocaleString("en-US")} spans in ${report.traces.toLocaleString("en-US")} traces; ${report.dbSpans.toLocaleString("en-US")} database calls (${report.systems.join(", ") || "no db.system"}), read in ${report.seconds.toFixed(2)} s`,
    "",
  ];
  if (report.dbSpans === 0)
    lines.push(
      p.yellow(
        "No span has db.query.text or db.statement: turn on the database instrumentation's statement capture.",
      ),
      "",
    );
  if (report.nPlusOne.length === 0 && report.dbSpans > 0) lines.push(p.green("No N+1 pattern."), "");
  for (const n of report.nPlusOne)
    lines.push(
      ...nPlusOneLines(
        {
          ...n,
          where: `${n.parent ?? "(root span)"}${n.service ? ` · ${n.service}` : ""}`,
          source: n.source?.query ?? null,
          repeated: n.repeated.query,
          notes: [
            n.concurrent
              ? `concurrent in ${n.concurrent} of ${n.occurrences} (Promise.all or the like): ${formatMs(n.totalMs)} of database time in ${formatMs(n.wallMs)}`
              : "sequential: one call after another",
            `e.g. trace ${n.exampleTraceIds[0] ?? "?"}`,
          ],
        },
        p,
      ),
    );
  if (report.statements.length) {
    lines.push(p.bold("Statements by total time"));
    lines.push(p.dim("     total    calls     mean      p95  query"));
    for (const s of report.statements.slice(0, top))
      lines.push(
        `${formatMs(s.totalMs).padStart(10)} ${s.calls.toLocaleString("en-US").padStart(8)} ${formatMs(s.meanMs).padStart(8)} ${formatMs(s.p95Ms).padStart(8)}  ${s.query.replace(/\s+/g, " ").slice(0, 100)}`,
      );
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
