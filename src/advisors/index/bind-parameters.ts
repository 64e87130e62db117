/**
 * Give a normalised statement (with $1, $2 ...) values drawn from the statistics of the columns its parameters
 * are compared with, so the planner estimates real selectivity: a typical value (the middle of the histogram) for
 * equality, the top or bottom decile for ranges, 20 for a LIMIT. Returns null when some parameter has no
 * statistics to draw from; the caller then falls back to a generic plan.
 */
import type { ColumnStats, Snapshot } from "../../facts/snapshot.js";
import type { QueryShape } from "../../facts/sql/query-shape.js";
import { quoteLiteral } from "../../util/sql-identifiers.js";
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";

export function bindParameters(sql: string, shape: QueryShape, snapshot: Snapshot): string | null {
  const values = new Map<number, string>();
  for (const [n, param] of shape.params) {
    if (param.role === "limit") values.set(n, "20");
    else if (param.role === "offset") values.set(n, "0");
    else if (param.role === "value") values.set(n, "NULL");
    else {
      const use = param.use;
      if (!use || use.isExpression) return null;
      const table = snapshot.tables.find(
        (t) => t.name === use.table.name && (use.table.schema === null || t.schema === use.table.schema),
      );
      const column = table?.columns.find((c) => c.name === use.column);
      const stats = snapshot.columnStats.find(
        (c) => c.table === table?.name && c.schema === table?.schema && c.column === use.column,
      );
      const value = stats ? typicalValue(stats, use.kind, use.operator) : null;
      if (!column || value === null) return null;
      values.set(n, `${quoteLiteral(value)}::${column.type}`);
    }
  }
  const tokens = scanSql(sql)
    .tokens.filter((t) => t.tokenName === "PARAM")
    .map((t) => ({ start: byteToCharOffset(sql, t.start), end: byteToCharOffset(sql, t.end) }));
  if (tokens.some((t) => !values.has(Number(sql.slice(t.start + 1, t.end))))) return null;
  let out = "";
  let at = 0;
  for (const t of tokens) {
    out += sql.slice(at, t.start) + values.get(Number(sql.slice(t.start + 1, t.end)));
    at = t.end;
  }
  return out + sql.slice(at);
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
