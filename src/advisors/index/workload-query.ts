/**
 * A statement of the workload as the advisor costs it: its shape, its weight (milliseconds it accounts for),
 * and the text EXPLAIN runs, with parameters bound to typical values when statistics allow, else planned as a
 * generic plan.
 */
import type { SkippedObject, Snapshot } from "../../facts/snapshot.js";
import { repairNormalizedQuery } from "../../facts/sql/normalized-statement.js";
import { type ColumnResolver, type QueryShape, queryShape } from "../../facts/sql/query-shape.js";
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";
import type { ParameterFacts } from "../parameters/parameter-columns.js";
import { bindParameters } from "./bind-parameters.js";

export interface WorkloadStatement {
  id: string;
  sql: string;
  /**
   * What the statement is worth, in milliseconds: total time (pg_stat_statements, timed log lines). A statement
   * known only by its call count (--workload weights, untimed log lines) has `weightIs: "calls"`: the advisor
   * sets its weight to calls × the time one call takes (measured when pg_stat_statements knows the statement,
   * else the planner's cost in milliseconds, MS_PER_COST_UNIT).
   */
  weight: number;
  calls: number;
  weightIs?: "ms" | "calls";
}

export interface WorkloadQuery extends WorkloadStatement {
  shape: QueryShape;
  /** Text to EXPLAIN. */
  text: string;
  /** "bound": parameters replaced by typical values; "generic": planned without values; "literal": none needed. */
  method: "bound" | "generic" | "literal";
  parameters: number;
  /** schema.table of every table it reads or writes. */
  tables: Set<string>;
}

/** The highest $n in the statement (by the lexer: not inside strings or comments). */
export function highestParameter(sql: string): number {
  let max = 0;
  for (const t of scanSql(sql).tokens)
    if (t.tokenName === "PARAM")
      max = Math.max(
        max,
        Number(sql.slice(byteToCharOffset(sql, t.start) + 1, byteToCharOffset(sql, t.end))) || 0,
      );
  return max;
}

export function schemaResolver(snapshot: Pick<ParameterFacts, "tables">): ColumnResolver {
  return (column, tables) =>
    tables.find((t) =>
      snapshot.tables.some(
        (s) =>
          s.name === t.name &&
          (t.schema === null || s.schema === t.schema) &&
          s.columns.some((c) => c.name === column),
      ),
    ) ?? null;
}

/**
 * Objects the snapshot skipped (locked by another session) that a statement reads or writes: planning it would
 * wait for the same lock.
 */
export function skippedObjectsIn(sql: string, snapshot: Snapshot): SkippedObject[] {
  const skipped = snapshot.skipped ?? [];
  if (skipped.length === 0) return [];
  let shape: QueryShape | null;
  try {
    shape = queryShape(repairNormalizedQuery(sql).trim().replace(/;\s*$/, ""), () => null);
  } catch {
    return [];
  }
  const out = new Set<SkippedObject>();
  for (const block of shape?.blocks ?? [])
    for (const t of block.tables)
      for (const s of skipped)
        if (s.name === t.name && (t.schema === null || t.schema === s.schema)) out.add(s);
  return [...out];
}

/**
 * Prepare statements for costing; those that cannot be planned (utility statements, parse errors) are left out,
 * and so are those that touch an object another session has locked (reported through `lockedOut`).
 */
export function prepareWorkload(
  statements: WorkloadStatement[],
  snapshot: Snapshot,
  lockedOut: (statement: WorkloadStatement, objects: SkippedObject[]) => void = () => {},
): WorkloadQuery[] {
  const resolve = schemaResolver(snapshot);
  const out: WorkloadQuery[] = [];
  for (const st of statements) {
    const sql = repairNormalizedQuery(st.sql).trim().replace(/;\s*$/, "");
    const shape = queryShape(sql, resolve);
    if (!shape || shape.kind === "other" || shape.kind === "merge") continue;
    // INSERT ... VALUES reads no table; weighted by calls it still counts, for what it makes indexes cost.
    const valuesInsert =
      shape.kind === "insert" && shape.blocks.every((b) => b.tables.length === 0) && st.weightIs === "calls";
    if (shape.blocks.length === 0 && !valuesInsert) continue;
    const locked = skippedObjectsIn(sql, snapshot);
    if (locked.length) {
      lockedOut(st, locked);
      continue;
    }
    const tables = new Set<string>();
    for (const block of shape.blocks) {
      for (const t of block.tables) {
        const facts = snapshot.tables.find(
          (s) => s.name === t.name && (t.schema === null || s.schema === t.schema),
        );
        if (facts) tables.add(`${facts.schema}.${facts.name}`);
      }
    }
    if (tables.size === 0 && !valuesInsert) continue;
    // Every $n the statement holds, wherever it is (a SELECT list, date_trunc($1, ...), a subquery), not only those
    // the shape knows how to give a value.
    const parameters = Math.max(shape.params.size, highestParameter(sql));
    const bound = parameters ? bindParameters(sql, shape, snapshot) : null;
    out.push({
      ...st,
      sql,
      shape,
      text: bound ?? sql,
      method: parameters === 0 ? "literal" : bound ? "bound" : "generic",
      parameters,
      tables,
    });
  }
  return out;
}
