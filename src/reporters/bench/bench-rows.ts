/** The figures every bench reporter shows for a run, as rows of text cells: per statement, then all together. */
import type { BenchReport, RunFigures } from "../../pipeline/bench-workload.js";
import { formatCount, formatMs } from "../../util/format.js";

export const FIGURE_HEADERS = ["statement", "calls", "tx/s", "mean", "p50", "p95", "p99", "max", "errors"];

export function figureRows(run: RunFigures): string[][] {
  const rows = run.statements.map((s) => [
    s.id,
    formatCount(s.calls),
    formatCount(s.throughput),
    formatMs(s.meanMs),
    formatMs(s.p50Ms),
    formatMs(s.p95Ms),
    formatMs(s.p99Ms),
    formatMs(s.maxMs),
    formatCount(s.errors),
  ]);
  const o = run.overall;
  rows.push([
    "all",
    formatCount(o.calls),
    formatCount(run.throughput),
    formatMs(o.meanMs),
    formatMs(o.p50Ms),
    formatMs(o.p95Ms),
    formatMs(o.p99Ms),
    formatMs(o.maxMs),
    formatCount(o.errors),
  ]);
  return rows;
}

/** The settings line: clients, threads, protocol, how long, how the parameters were drawn. */
export function settingsLine(report: BenchReport): string {
  const s = report.settings;
  const length =
    s.durationMs !== null
      ? `${(s.durationMs / 1000).toFixed(s.durationMs % 1000 ? 1 : 0)} s`
      : `${formatCount(s.transactions)} transactions`;
  return `${s.clients} clients in ${s.threads} thread${s.threads === 1 ? "" : "s"}, ${s.protocol} protocol, ${length}${
    s.warmupMs ? ` after ${(s.warmupMs / 1000).toFixed(1)} s of warm-up` : ""
  }${s.sandbox ? ", on a sandbox" : ", read-only"}; workload: ${s.source}; ${formatCount(s.parameterSets)} parameter sets per statement (seed ${s.seed})`;
}
