import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { formatMs, serverName } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette } from "../terminal/palette.js";

/** `dbopt advise scaling` for a terminal: what was sampled, then the pool, pooler mode and replica findings. */
export function renderScalingTerminal(report: ScalingReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const a = report.activity;
  const lines = [
    p.bold(`Scaling advice for ${report.server.database}`) + p.dim(`  ${serverName(report.server.version)}`),
    p.dim(
      `${a.samples} pg_stat_activity samples ${formatMs(a.intervalMs)} apart; max_connections ${a.maxConnections} (${a.reservedConnections} reserved); ${report.statementsRead} statements read${report.tracesRead ? `; ${report.tracesRead.traces} traces, ${report.tracesRead.spans} database spans` : ""}`,
    ),
    "",
    ...renderFindings(report.findings, p),
  ];
  if (report.notes.length) lines.push("", p.bold("Notes"), ...report.notes.map((n) => `  ${n}`));
  return `${lines.join("\n")}\n`;
}
