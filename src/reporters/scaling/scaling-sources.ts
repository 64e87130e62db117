import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { formatMs } from "../../util/format.js";

/** What the scaling advice was read from, in one sentence per source, for every format. */
export function scalingSources(report: ScalingReport): string[] {
  const a = report.activity;
  const s = report.activitySource;
  const lines = [
    s?.kind === "store"
      ? `${a.samples} pg_stat_activity samples from the history store over ${s.days} day${s.days === 1 ? "" : "s"} (${s.firstAt?.slice(0, 16).replace("T", " ")} to ${s.lastAt?.slice(0, 16).replace("T", " ")} UTC, ${s.store})`
      : `${a.samples} pg_stat_activity samples ${formatMs(a.intervalMs)} apart`,
    `max_connections ${a.maxConnections} (${a.reservedConnections} reserved); ${report.statementsRead} statements read`,
  ];
  if (report.tracesRead)
    lines.push(`${report.tracesRead.traces} traces, ${report.tracesRead.spans} database spans`);
  const l = report.logsRead;
  if (l)
    lines.push(
      `${l.files} log file${l.files === 1 ? "" : "s"}: ${l.statements} statements in ${l.sessions} sessions, ${l.reads} reads of ${l.shapes} shapes (${l.matchedShapes} in pg_stat_statements), own-write window ${formatMs(l.windowMs)}`,
    );
  return lines;
}
