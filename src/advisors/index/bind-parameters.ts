/**
 * Give a normalised statement (with $1, $2 ...) values drawn from the statistics of the columns its parameters
 * are compared with, so the planner estimates real selectivity: a typical value (the middle of the histogram) for
 * equality, the top or bottom decile for ranges, 20 for a LIMIT. Returns null when some parameter has no
 * statistics to draw from; the caller then falls back to a generic plan.
 */
import type { ColumnStats, Snapshot } from "../../facts/snapshot.js";
import type { QueryShape } from "../../facts/sql/query-shape.js";
import { quoteLiteral } from "../../util/sql-identifiers.js";
import { inlineParameters } from "../parameters/inline-parameters.js";
import { parameterSlots } from "../parameters/parameter-columns.js";

export function bindParameters(sql: string, shape: QueryShape, snapshot: Snapshot): string | null {
  const values = new Map<number, string>();
  for (const slot of parameterSlots(shape, snapshot)) {
    if (slot.role === "limit") values.set(slot.n, "20");
    else if (slot.role === "offset") values.set(slot.n, "0");
    else if (slot.role === "value") values.set(slot.n, "NULL");
    else {
      const value =
        slot.use && slot.stats ? typicalValue(slot.stats, slot.use.kind, slot.use.operator) : null;
      if (!slot.column || value === null) return null;
      values.set(slot.n, `${quoteLiteral(value)}::${slot.column.type}`);
    }
  }
  return inlineParameters(sql, values);
}

function typicalValue(stats: ColumnStats, kind: string, operator: string): string | null {
  const hist = stats.histogramBounds;
  const mcv = stats.mostCommonValues;
  const at = (list: string[], share: number) =>
    list[Math.min(list.length - 1, Math.max(0, Math.floor((list.length - 1) * share)))];
  if (kind === "range") {
    if (!hist?.length) return mcv?.length ? (at(mcv, 0.5) ?? null) : null;
    // "> x" keeps what is above x: the 90th percentile keeps a tenth; "< x" the 10th percentile.
    return at(hist, operator.startsWith(">") ? 0.9 : 0.1) ?? null;
  }
  if (kind === "like") {
    const sample = hist?.length ? at(hist, 0.5) : mcv?.length ? at(mcv, 0.5) : null;
    return sample ? `${sample.slice(0, 3)}%` : null;
  }
  if (hist?.length) return at(hist, 0.5) ?? null;
  if (mcv?.length) return at(mcv, 0.5) ?? null;
  return null;
}
