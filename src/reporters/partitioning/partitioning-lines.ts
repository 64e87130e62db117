import type { PartitionAdvice } from "../../pipeline/advise-partitioning.js";
import { formatMs, oneLine } from "../../util/format.js";

/** One table's advice as plain lines (terminal and Markdown share them): proof, lint, then the migration. */
export function partitionAdviceLines(a: PartitionAdvice): {
  proof: string[];
  lint: string;
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
  return { proof, lint, migration };
}
