import type { AnalyzeReport } from "../../pipeline/analyze-report.js";
import type { CheckReport } from "../../pipeline/check-report.js";
import type { PlanReport } from "../../pipeline/plan-report.js";
import type { TuneReport } from "../../pipeline/tune-settings.js";
import { formatBytes, formatCount, formatMs, formatPercent, serverName } from "../../util/format.js";
import { renderRankedFindings } from "../terminal/findings-list.js";
import { createPalette, type Palette } from "../terminal/palette.js";
import { renderPlanTree } from "../terminal/plan-tree.js";
import { adviceLines } from "./advice-terminal.js";
import { alterSystemScript } from "./alter-system-script.js";
import type { Report } from "./database-json.js";

export function renderTerminal(report: Report, options: { colour: boolean }): string {
  const p = createPalette(options.colour);
  const lines =
    report.kind === "plan"
      ? planLines(report, p)
      : report.kind === "check"
        ? checkLines(report, p)
        : report.kind === "tune"
          ? tuneLines(report, p)
          : report.kind === "advice"
            ? adviceLines(report, p)
            : analyzeLines(report, p);
  return `${lines.join("\n")}\n`;
}

function planLines(report: PlanReport, p: Palette): string[] {
  const s = report.summary;
  const timing = s.analyzed
    ? `execution ${formatMs(s.executionTimeMs)}, planning ${formatMs(s.planningTimeMs)}`
    : `estimated cost ${s.totalCost ?? "-"} (not run: add --analyze for real timings)`;
  const extras = [
    s.triggerTimeMs !== null ? `triggers ${formatMs(s.triggerTimeMs)}` : null,
    s.jitTimeMs !== null ? `JIT ${formatMs(s.jitTimeMs)}` : null,
  ].filter(Boolean);
  const lines = [
    p.bold(`Plan from ${report.source}`) +
      p.dim(`  ${s.nodes} nodes, ${timing}${extras.length ? `, ${extras.join(", ")}` : ""}`),
    ...(report.notes ?? []).map((n) => p.yellow(`note: ${n}`)),
    "",
    ...renderPlanTree(
      report.analyzed,
      p,
      new Set(report.findings.map((f) => f.nodeId).filter((id) => id !== undefined)),
    ),
    "",
    p.bold(`Findings (${report.findings.length})`),
    "",
    ...renderRankedFindings(report.findings, p),
  ];
  return lines;
}

function analyzeLines(report: AnalyzeReport, p: Palette): string[] {
  const w = report.workload;
  const lines = [
    p.bold(`dbopt analyze: ${report.target}`) +
      p.dim(`  ${serverName(report.server.version)}, captured ${report.capturedAt}`),
    p.dim(
      `workload: ${w.statementsSeen} statements in ${w.source}, ${formatMs(w.totalMs)} in all${w.statsResetAt ? ` since ${w.statsResetAt}` : ""}; ${w.statementsExplained} explained`,
    ),
    ...report.notes.map((n) => p.yellow(`note: ${n}`)),
    "",
    p.bold("Top statements by total time"),
    p.dim(
      `${"total".padStart(10)}  ${"share".padStart(5)}  ${"calls".padStart(9)}  ${"mean".padStart(10)}  findings  statement`,
    ),
  ];
  for (const st of report.statements) {
    const q = st.query.replace(/\s+/g, " ");
    lines.push(
      `${formatMs(st.totalMs).padStart(10)}  ${formatPercent(st.share).padStart(5)}  ${formatCount(st.calls).padStart(9)}  ${formatMs(st.meanMs).padStart(10)}  ${String(st.findings.length).padStart(8)}  ${q.length > 90 ? `${q.slice(0, 87)}...` : q}${st.skipped ? p.dim(` (${st.skipped})`) : ""}`,
    );
  }
  lines.push(
    "",
    p.bold(`Findings (${report.findings.length}): risks, then what costs time, then hygiene`),
    "",
    ...renderRankedFindings(report.findings, p),
  );
  if (report.advice) {
    lines.push(p.bold("Index advice, checked by the planner"), ...adviceLines(report.advice, p).slice(1));
  }
  return lines;
}

function checkLines(report: CheckReport, p: Palette): string[] {
  const age =
    report.statsAgeSeconds === null ? "unknown" : `${(report.statsAgeSeconds / 86_400).toFixed(1)} days`;
  const lines = [
    p.bold(`dbopt check: ${report.target}`) +
      p.dim(`  ${serverName(report.server.version)}, statistics collecting for ${age}`),
    ...report.notes.map((n) => p.yellow(`note: ${n}`)),
    "",
  ];
  // The same order and sections as analyze: risks, then what costs time, then hygiene.
  return [...lines, ...renderRankedFindings(report.findings, p)];
}

function tuneLines(report: TuneReport, p: Palette): string[] {
  const m = report.machine;
  const lines = [
    p.bold(`dbopt tune${report.target ? `: ${report.target}` : ""}`) +
      p.dim(
        `  ${formatBytes(m.ramBytes)} RAM, ${m.cpus ?? "?"} cores, ${m.storage.toUpperCase()}, ${m.workload} workload, ${m.connections ?? "default"} connections`,
      ),
    ...report.notes.map((n) => p.yellow(`note: ${n}`)),
    "",
    p.dim(
      `${"setting".padEnd(34)} ${"current".padStart(10)}  ${"recommended".padStart(11)}  restart  reason`,
    ),
  ];
  for (const r of report.recommendations) {
    const mark = r.changed ? p.bold : p.dim;
    lines.push(
      `${mark(r.name.padEnd(34))} ${(r.current ?? "-").padStart(10)}  ${mark(r.recommended.padStart(11))}  ${(r.restart ? "yes" : "").padEnd(7)}  ${p.dim(r.reason)}`,
    );
  }
  lines.push("", p.bold("To apply (review first):"), "", ...alterSystemScript(report).map((l) => p.green(l)));
  return lines;
}
