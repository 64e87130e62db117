import type { ScalingReport } from "../../pipeline/advise-scaling.js";
import { serverName } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette } from "../terminal/palette.js";
import { ownWriteReads } from "./own-write-sources.js";
import { scalingSources } from "./scaling-sources.js";

/** `dbopt advise scaling` for a terminal: what was sampled, then the pool, pooler mode and replica findings. */
export function renderScalingTerminal(report: ScalingReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines = [
    p.bold(`Scaling advice for ${report.server.database}`) + p.dim(`  ${serverName(report.server.version)}`),
    ...scalingSources(report).map((l) => p.dim(l)),
    "",
    ...renderFindings(report.findings, p),
  ];
  const own = ownWriteReads(report);
  if (own.length)
    lines.push(
      "",
      p.bold("Reads of their own writes (kept on the primary)"),
      ...own.flatMap((r) => [`  ${r.query}  ${p.dim(r.runs)}`, ...r.sources.map((s) => p.dim(`    ${s}`))]),
    );
  if (report.notes.length) lines.push("", p.bold("Notes"), ...report.notes.map((n) => `  ${n}`));
  return `${lines.join("\n")}\n`;
}
