/**
 * What a CREATE INDEX means, read from its parse tree: table, method, key elements, INCLUDE columns, predicate,
 * uniqueness. The index name, CONCURRENTLY, IF NOT EXISTS and ON ONLY do not change what it serves, so they are
 * left out; so are the parser's byte locations, so spacing and quoting do not matter either.
 */

import { tryParseSql } from "../util/sql-parser.js";

export interface IndexShape {
  /** "schema.table" (public when the statement does not say). */
  table: string;
  method: string;
  unique: boolean;
  /** One canonical text per key element: column or expression, opclass, collation, order. */
  keys: string[];
  include: string[];
  /** The WHERE clause's canonical text, "" when there is none. */
  predicate: string;
}

/**
 * The index a fix creates, or null when the fix is not index DDL. A fix may be the partitioned recipe (ON ONLY the
 * parent, each partition's index, ATTACH): its first CREATE INDEX is the index it builds.
 */
export function indexShape(fixSql: string): IndexShape | null {
  const parsed = tryParseSql(fixSql);
  const stmts = (parsed?.stmts ?? []).map((s) => s.stmt as Record<string, unknown> | undefined);
  if (stmts.length === 0) return null;
  // Only index DDL: a fix that also alters a table or runs something else is not "the same fix" as an index.
  if (!stmts.every((s) => s && ("IndexStmt" in s || isAttachIndex(s)))) return null;
  const index = stmts.find((s) => s && "IndexStmt" in s)?.IndexStmt as IndexStmt | undefined;
  if (!index?.relation?.relname) return null;
  return {
    table: `${index.relation.schemaname ?? "public"}.${index.relation.relname}`,
    method: index.accessMethod ?? "btree",
    unique: index.unique === true,
    keys: (index.indexParams ?? []).map(canonical),
    include: (index.indexIncludingParams ?? []).map(canonical).sort(),
    predicate: index.whereClause ? canonical(index.whereClause) : "",
  };
}

/** The two indexes serve the same lookups. */
export function sameIndex(a: IndexShape, b: IndexShape): boolean {
  return (
    a.table === b.table &&
    a.method === b.method &&
    a.unique === b.unique &&
    a.predicate === b.predicate &&
    a.keys.join("\u0000") === b.keys.join("\u0000") &&
    a.include.join("\u0000") === b.include.join("\u0000")
  );
}

/**
 * The wider B-tree serves every lookup the narrower one does: the narrower's keys are its leading keys, same table
 * and predicate, and whatever the narrower carries in INCLUDE the wider has too. A unique index is not served by a
 * wider one: the wider cannot enforce the narrower's uniqueness.
 */
export function servesAsWell(wider: IndexShape, narrower: IndexShape): boolean {
  if (sameIndex(wider, narrower)) return true;
  if (wider.table !== narrower.table || wider.method !== "btree" || narrower.method !== "btree") return false;
  if (narrower.unique || wider.predicate !== narrower.predicate) return false;
  // Equal keys count too: the wider one then carries more in INCLUDE (a covering variant of the same lookup).
  if (narrower.keys.length > wider.keys.length) return false;
  if (!narrower.keys.every((k, i) => wider.keys[i] === k)) return false;
  const carried = new Set([...wider.keys, ...wider.include]);
  return narrower.include.every((c) => carried.has(c));
}

interface IndexStmt {
  relation?: { schemaname?: string; relname?: string };
  accessMethod?: string;
  unique?: boolean;
  indexParams?: unknown[];
  indexIncludingParams?: unknown[];
  whereClause?: unknown;
}

/** ALTER INDEX parent ATTACH PARTITION child: the last step of the partitioned recipe. */
function isAttachIndex(stmt: Record<string, unknown>): boolean {
  const alter = stmt.AlterTableStmt as { objtype?: string } | undefined;
  return alter?.objtype === "OBJECT_INDEX";
}

/** The node as JSON without the parser's byte locations; ASC is the default order, so it reads as the default. */
function canonical(node: unknown): string {
  return JSON.stringify(node, (key, value) =>
    key === "location" ? undefined : key === "ordering" && value === "SORTBY_ASC" ? "SORTBY_DEFAULT" : value,
  );
}
