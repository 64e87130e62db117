import type { DiffReport, StatementFigures } from "../../pipeline/diff-snapshots.js";
import { formatBytes, formatCount, formatMs, oneLine } from "../../util/format.js";

/** "12 → 40" for one figure of a statement, before and after, formatted for people. */
export function beforeAfter(
  before: StatementFigures,
  after: StatementFigures,
  field: keyof StatementFigures,
): string {
  const f =
    field === "meanMs" || field === "totalMs"
      ? formatMs
      : field === "tempBytes"
        ? formatBytes
        : (n: number) => formatCount(n);
  return before[field] === after[field] ? f(after[field]) : `${f(before[field])} → ${f(after[field])}`;
}

/** The statement text on one line, cut to `width` characters. */

/** The changes found besides statements, as short lines in the order the report lists them. */
export function changeLines(report: DiffReport): { title: string; lines: string[] }[] {
  const sections: { title: string; lines: string[] }[] = [
    {
      title: "Plan changes",
      lines: report.planChanges.map(
        (p) =>
          `${oneLine(p.query, 70)}: ${p.before} ⇒ ${p.after}${p.divergesAt ? ` (diverge at ${p.divergesAt}${p.why.length ? `: ${p.why.join("; ")}` : ""})` : ""}`,
      ),
    },
    {
      title: "Indexes dropped",
      lines: report.indexesDropped.map(
        (i) => `${i.index} on ${i.table} (${formatBytes(i.sizeBytes)}): ${i.definition}`,
      ),
    },
    {
      title: "Indexes added",
      lines: report.indexesAdded.map(
        (i) => `${i.index} on ${i.table} (${formatBytes(i.sizeBytes)}): ${i.definition}`,
      ),
    },
    {
      title: "Indexes newly unused",
      lines: report.indexesNewlyUnused.map(
        (i) => `${i.index} on ${i.table}: ${formatCount(i.scansBefore ?? 0)} scans before, none after`,
      ),
    },
    {
      title: "Settings changed",
      lines: report.settingsChanged.map(
        (s) =>
          `${s.name}: ${s.before}${s.unit ?? ""} → ${s.after}${s.unit ?? ""}${s.sourceBefore !== s.sourceAfter ? ` (source ${s.sourceBefore} → ${s.sourceAfter})` : ` (source ${s.sourceAfter})`}`,
      ),
    },
    {
      title: "Tables grown",
      lines: report.tablesGrew.map(
        (t) =>
          `${t.table}: ${formatCount(t.rowsBefore)} → ${formatCount(t.rowsAfter)} rows, ${formatBytes(t.bytesBefore)} → ${formatBytes(t.bytesAfter)}`,
      ),
    },
    {
      title: "Statistics re-analyzed",
      lines: report.reanalyzed.map(
        (r) => `${r.table}: analyzed at ${r.after}${r.before ? ` (was ${r.before})` : ""}`,
      ),
    },
  ];
  return sections.filter((s) => s.lines.length);
}
