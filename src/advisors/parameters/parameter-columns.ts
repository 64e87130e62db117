/**
 * For each $n of a statement, what a value for it must look like: the column it is compared with (its table,
 * type and pg_stats), or its role when it is a LIMIT, an OFFSET or a value written. Both the advisor's
 * typical-value binding and the parameter draws of `dbopt bench` and the rewrite proof start from this.
 */
import type { ColumnStats } from "../../facts/snapshot.js";
import type { PredicateUse, QueryShape } from "../../facts/sql/query-shape.js";

/**
 * What of a snapshot the parameters need: tables with their columns, and the columns' statistics. A Snapshot is
 * one; `readParameterFacts` reads just this from a live database.
 */
export interface ParameterFacts {
  tables: ReadonlyArray<{
    schema: string;
    name: string;
    columns: ReadonlyArray<{ name: string; type: string }>;
  }>;
  columnStats: readonly ColumnStats[];
}

export interface ParameterColumn {
  schema: string;
  table: string;
  name: string;
  /** format_type's spelling, what a literal is cast to. */
  type: string;
}

export interface ParameterSlot {
  n: number;
  role: "predicate" | "limit" | "offset" | "value";
  /** The comparison it sits in, when it is compared with a plain column. */
  use: PredicateUse | null;
  column: ParameterColumn | null;
  stats: ColumnStats | null;
}

export function parameterSlots(shape: QueryShape, facts: ParameterFacts): ParameterSlot[] {
  const slots: ParameterSlot[] = [];
  for (const [n, param] of [...shape.params].sort((a, b) => a[0] - b[0])) {
    const use = param.role === "predicate" && param.use && !param.use.isExpression ? param.use : null;
    const table = use
      ? facts.tables.find(
          (t) => t.name === use.table.name && (use.table.schema === null || t.schema === use.table.schema),
        )
      : undefined;
    const column = table?.columns.find((c) => c.name === use?.column);
    const stats =
      table && column
        ? (facts.columnStats.find(
            (s) => s.table === table.name && s.schema === table.schema && s.column === column.name,
          ) ?? null)
        : null;
    slots.push({
      n,
      role: param.role,
      use,
      column:
        table && column
          ? { schema: table.schema, table: table.name, name: column.name, type: column.type }
          : null,
      stats,
    });
  }
  return slots;
}
