import type { CachingReport } from "../../pipeline/advise-caching.js";
import { formatAge, serverName } from "../../util/format.js";
import { renderFindings } from "../terminal/findings-list.js";
import { createPalette } from "../terminal/palette.js";

/** `dbopt advise caching` for a terminal: the findings, then the cache-aside wrapper to paste. */
export function renderCachingTerminal(report: CachingReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines = [
    p.bold(`Caching advice for ${report.server.database}`) + p.dim(`  ${serverName(report.server.version)}`),
    p.dim(
      `${report.statementsRead} statements over ${report.periodS === null ? "an unknown period" : formatAge(report.periodS)} of statistics${report.verified ? "; replayed against Redis" : ""}`,
    ),
    "",
    ...renderFindings(report.findings, p),
  ];
  if (report.code) {
    lines.push(
      "",
      p.bold(`Cache-aside wrapper (TypeScript, npm install ${report.code.packages.join(" ")})`),
      "",
    );
    lines.push(...report.code.wrapper.split("\n").map((l) => `  ${l}`));
    if (report.code.listener) {
      lines.push(p.bold("Invalidation listener"), "");
      lines.push(...report.code.listener.split("\n").map((l) => `  ${l}`));
    }
  }
  if (report.notes.length) lines.push("", p.bold("Notes"), ...report.notes.map((n) => `  ${n}`));
  return `${lines.join("\n")}\n`;
}
