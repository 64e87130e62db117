import type { BenchReport, RunFigures } from "../../pipeline/bench-workload.js";
import { formatCount, formatMs } from "../../util/format.js";
import { createPalette, type Palette } from "../terminal/palette.js";
import { FIGURE_HEADERS, figureRows, settingsLine } from "./bench-rows.js";

/** The bench report for a terminal: the statements, then the run's table, or both variants' and the verdicts. */
export function renderBenchTerminal(report: BenchReport, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines: string[] = [p.dim(`target: ${report.target}`), p.dim(settingsLine(report)), ""];
  lines.push(p.bold("Statements"));
  for (const s of report.statements) {
    const from = s.parameters.length
      ? `  ${p.dim(`$n from ${s.parameters.map((x) => `${x.column ?? x.from}${x.column ? ` (${x.from})` : ""}`).join(", ")}`)}`
      : "";
    lines.push(`  ${s.id}  weight ${formatCount(s.weight)}${s.writes ? p.yellow("  writes") : ""}  ${s.sql}`);
    if (from) lines.push(from);
  }
  lines.push("");
  if (report.run) lines.push(...runTable(report.run, p));
  const c = report.comparison;
  if (c) {
    lines.push(p.dim(`${c.rounds} rounds of each variant, in the order ${c.order.join(" ")}`), "");
    for (const v of [c.a, c.b]) {
      const what = [v.setup.setup && "setup", v.setup.teardown && "teardown", v.setup.sql && v.setup.sql]
        .filter(Boolean)
        .join(", ");
      lines.push(p.bold(`Variant ${v.name}${what ? ` (${what})` : ""}`));
      lines.push(
        `  throughput per round: ${v.rounds.map((r) => formatCount(r.throughput)).join(", ")} tx/s`,
        ...runTable(v.total, p),
      );
    }
    const tone = c.overall.significant ? (c.overall.speedup >= 1 ? p.green : p.red) : p.dim;
    lines.push(p.bold("Verdict"), `  throughput: ${tone(c.overall.text)}`);
    for (const s of c.statements) {
      const t = s.significant ? (s.speedup >= 1 ? p.green : p.red) : p.dim;
      lines.push(
        `  ${s.id}: median ${formatMs(s.aMedianMs)} → ${formatMs(s.bMedianMs)} (mean ${formatMs(s.aMeanMs)} → ${formatMs(s.bMeanMs)}), ${t(s.text)}`,
      );
    }
    lines.push("");
  }
  for (const note of report.notes) lines.push(p.yellow(`note: ${note}`));
  return `${lines.join("\n")}\n`;
}

function runTable(run: RunFigures, p: Palette): string[] {
  const rows = [FIGURE_HEADERS, ...figureRows(run)];
  const widths = FIGURE_HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}`;
  const out = [
    p.dim(line(FIGURE_HEADERS)),
    ...rows.slice(1, -1).map(line),
    p.bold(line(rows[rows.length - 1] ?? [])),
  ];
  out.push(p.dim(`  measured ${(run.elapsedMs / 1000).toFixed(1)} s`));
  for (const s of run.statements)
    if (s.firstError)
      out.push(p.red(`  ${s.id}: ${formatCount(s.errors)} errors, the first: ${s.firstError}`));
  for (const lost of run.lostClients) out.push(p.red(`  ${lost}`));
  out.push("");
  return out;
}
