/**
 * The facts of the Citus distribution-column rule from a snapshot: each pg_stat_statements statement parsed
 * (query-shape.ts) into the table references it reads, its equality filters and its equi-joins, and the
 * tables with their size and unique keys.
 */
import type { Snapshot } from "../../facts/snapshot.js";
import { repairNormalizedQuery } from "../../facts/sql/normalized-statement.js";
import { type ColumnUse, queryShape, type TableRef } from "../../facts/sql/query-shape.js";
import type {
  DistributionFacts,
  DistributionStatement,
  DistributionTable,
  RefColumn,
} from "../../rules/architecture/distribution-facts.js";
import { tryParseSql } from "../../util/sql-parser.js";
import { schemaResolver } from "../index/workload-query.js";

type Node = Record<string, unknown>;

/** Load the SQL parser first (loadSqlParser). */
export function distributionFacts(snapshot: Snapshot): DistributionFacts {
  const tables: DistributionTable[] = snapshot.tables
    .filter((t) => (t.kind === "table" || t.kind === "partitioned") && !t.parent)
    .map((t) => ({
      name: `${t.schema}.${t.name}`,
      schema: t.schema,
      table: t.name,
      rows: Math.max(0, t.rowsEstimate),
      columns: t.columns.map((c) => c.name),
      uniqueKeys: snapshot.constraints
        .filter(
          (c) => c.schema === t.schema && c.table === t.name && (c.type === "primary" || c.type === "unique"),
        )
        .map((c) => ({ name: c.name, columns: c.columns })),
      foreignKeys: snapshot.constraints
        .filter((c) => c.schema === t.schema && c.table === t.name && c.type === "foreign" && c.refTable)
        .map((c) => ({
          name: c.name,
          references: `${c.refSchema ?? t.schema}.${c.refTable}`,
          columns: c.columns,
        })),
    }));
  const resolver = schemaResolver(snapshot);
  const statements: DistributionStatement[] = [];
  for (const s of snapshot.workload.statements) {
    const text = repairNormalizedQuery(s.query).trim().replace(/;\s*$/, "");
    const statement = statementOf(text, tables, resolver);
    if (statement) statements.push({ ...statement, query: s.query, calls: s.calls, totalMs: s.totalMs });
  }
  return { tables, statements };
}

function statementOf(
  text: string,
  tables: DistributionTable[],
  resolver: ReturnType<typeof schemaResolver>,
): Omit<DistributionStatement, "query" | "calls" | "totalMs"> | null {
  let shape: ReturnType<typeof queryShape>;
  try {
    shape = queryShape(text, resolver);
  } catch {
    return null;
  }
  if (!shape) return null;
  const refs: string[] = [];
  const index = new Map<TableRef, number>();
  const byRefName = new Map<string, number>();
  const add = (t: TableRef): number | null => {
    const known = index.get(t);
    if (known !== undefined) return known;
    const table = tableOf(t, tables);
    if (!table) return null;
    index.set(t, refs.length);
    byRefName.set(t.refName, refs.length);
    refs.push(table.name);
    return refs.length - 1;
  };
  for (const block of shape.blocks) for (const t of block.tables) add(t);
  // A column use names the statement's TableRef object; one built apart (a DELETE's target) by its refName.
  const refOf = (t: TableRef): number | null => index.get(t) ?? byRefName.get(t.refName) ?? null;
  const columnOf = (u: ColumnUse): RefColumn | null => {
    const ref = u.isExpression ? null : refOf(u.table);
    return ref === null ? null : { ref, column: u.column };
  };
  const equalities: RefColumn[] = [];
  const joins: Array<[RefColumn, RefColumn]> = [];
  for (const block of shape.blocks) {
    for (const p of block.predicates) {
      const oneValue = p.kind === "eq" || (p.kind === "in" && p.values.length === 1);
      const c = oneValue && !p.underOr ? columnOf(p) : null;
      if (c) equalities.push(c);
    }
    for (const [a, b] of block.joins) {
      const l = columnOf(a);
      const r = columnOf(b);
      if (l && r && l.ref !== r.ref) joins.push([l, r]);
    }
  }
  let written: number | null = null;
  let insert: DistributionStatement["insert"] = null;
  if (shape.written) {
    written = refOf(shape.written) ?? add(shape.written);
    if (shape.kind === "insert" && written !== null) {
      const columns = insertValuesColumns(text);
      const table = tables.find((t) => t.name === refs[written as number]);
      if (columns && table) insert = { ref: written, columns: columns.length > 0 ? columns : table.columns };
    }
  }
  if (refs.length === 0) return null;
  return { refs, equalities, joins, insert, written };
}

function tableOf(t: TableRef, tables: DistributionTable[]): DistributionTable | undefined {
  const named = tables.filter((x) => x.table === t.name && (t.schema === null || x.schema === t.schema));
  return named.find((x) => x.schema === "public") ?? named[0];
}

/** The column list of an INSERT … VALUES ([] when it names none); null for INSERT … SELECT. */
function insertValuesColumns(text: string): string[] | null {
  const stmt = tryParseSql(text)?.stmts?.[0]?.stmt as Node | undefined;
  const insert = stmt?.InsertStmt as Node | undefined;
  const select = (insert?.selectStmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (!insert || !select?.valuesLists) return null;
  return ((insert.cols as Node[] | undefined) ?? []).map((c) => String((c.ResTarget as Node).name));
}
