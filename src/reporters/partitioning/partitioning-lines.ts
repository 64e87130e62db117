import type { PartitionAdvice } from "../../pipeline/advise-partitioning.js";
import { formatCount, formatMs, oneLine } from "../../util/format.js";

/**
 * One table's advice as plain lines (terminal, Markdown and HTML share them): proof, lint, the migration's notes,
 * then the migration. Every format prints every note: they say what the statements alone do not (rows written
 * during the copy, grants LIKE leaves behind, foreign keys, indexes to rebuild by hand).
 */
export function partitionAdviceLines(a: PartitionAdvice): {
  /** Where the proof ran ("Measured on the sandbox", or the sample and what was copied). */
  setting: string[];
  proof: string[];
  lint: string;
  /** What the migration does not do by itself, one sentence each. */
  notes: string[];
  migration: string[];
} {
  const proof = (a.proof ?? []).map(
    (p) =>
      `${formatMs(p.beforeMs)} → ${formatMs(p.afterMs)}  read ${p.partitionsRead} of ${p.partitions} partitions  ${oneLine(p.statement, 90)}`,
  );
  const lint =
    a.lint.errors === 0 && a.lint.warnings === 0
      ? "dbopt migrate lint: no findings"
      : `dbopt migrate lint: ${a.lint.errors} errors, ${a.lint.warnings} warnings (${[...new Set(a.lint.findings.map((f) => f.ruleId))].join(", ")})`;
  const migration = a.migration.steps.flatMap((s) => [`-- ${s.title}`, ...s.statements.map(String), ""]);
  const on = a.proofOn;
  const setting =
    on?.kind === "sample"
      ? [
          `Measured on a ${on.percent}% sample on ${on.server} (times are the sample's, not scaled to the full table)`,
          ...on.tables.map(
            (t) =>
              `copied ${t.table}: ${formatCount(t.rows)} rows${t.percent === null ? " (whole: a small table)" : ` (${t.percent}% sampled)`} in ${formatMs(t.ms)}`,
          ),
          `the migration ran in ${formatMs(on.migrationMs)} on the sample`,
          ...on.notes,
        ]
      : on?.kind === "sandbox"
        ? ["Measured on the sandbox", `the migration ran in ${formatMs(on.migrationMs)}`]
        : [];
  return { setting, proof, lint, notes: a.migration.notes, migration };
}
