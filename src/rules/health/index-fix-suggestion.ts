/**
 * The statements that drop or rebuild an index, each in the form PostgreSQL accepts for that index: an index
 * behind a constraint is dropped with its constraint, an index on a partitioned table cannot be dropped
 * CONCURRENTLY, a system catalog's index or an exclusion constraint's cannot be rebuilt CONCURRENTLY.
 */
import type { IndexFacts, Snapshot } from "../../facts/snapshot.js";
import { tableOf } from "../../facts/snapshot-accessors.js";
import { freeName } from "../../util/sql-identifiers.js";
import { ident, qname, type SqlText, sql } from "../../util/sql-text.js";
import { backsConstraint } from "./index-shape.js";

export interface IndexStatement {
  sql: SqlText;
  /** What the reader must know before running it, or "" when nothing. */
  caveat: string;
}

const SYSTEM_SCHEMAS = new Set(["pg_catalog", "information_schema"]);

function onPartitionedTable(snapshot: Snapshot, index: IndexFacts): boolean {
  return tableOf(snapshot, index.tableSchema, index.table)?.kind === "partitioned";
}

/** DROP INDEX CONCURRENTLY, or what replaces it where that fails. */
export function dropIndex(snapshot: Snapshot, index: IndexFacts): IndexStatement {
  const table = qname(index.tableSchema, index.table);
  if (backsConstraint(index) && index.constraint) {
    return {
      sql: sql`ALTER TABLE ${table} DROP CONSTRAINT ${ident(index.constraint)};`,
      caveat: ` ${index.name} backs constraint ${index.constraint}, so the index goes with the constraint (DROP INDEX would be refused); this takes an ACCESS EXCLUSIVE lock on ${index.table} for a moment, and fails while a foreign key depends on the constraint.`,
    };
  }
  if (onPartitionedTable(snapshot, index)) {
    return {
      sql: sql`DROP INDEX ${qname(index.schema, index.name)};`,
      caveat: ` An index on a partitioned table cannot be dropped CONCURRENTLY: this locks ${index.table} and its partitions briefly (drop each partition's index CONCURRENTLY first to keep it short).`,
    };
  }
  const partition = tableOf(snapshot, index.tableSchema, index.table)?.parent ?? null;
  return {
    sql: sql`DROP INDEX CONCURRENTLY ${qname(index.schema, index.name)};`,
    caveat: `${partition ? ` ${index.table} is a partition of ${partition}: if this index belongs to an index on the parent, drop that one instead.` : ""} DROP INDEX CONCURRENTLY cannot run inside a transaction block.`,
  };
}

/** REINDEX INDEX CONCURRENTLY (PostgreSQL 12+), or a plain REINDEX where CONCURRENTLY is refused. */
export function reindex(snapshot: Snapshot, index: IndexFacts): IndexStatement {
  const name = qname(index.schema, index.name);
  const exclusion =
    index.constraint !== null &&
    snapshot.constraints.some(
      (c) =>
        c.name === index.constraint &&
        c.type === "exclusion" &&
        c.schema === index.tableSchema &&
        c.table === index.table,
    );
  if (exclusion || SYSTEM_SCHEMAS.has(index.schema)) {
    return {
      sql: sql`REINDEX INDEX ${name};`,
      caveat: ` ${exclusion ? "An exclusion constraint's index" : "A system catalog's index"} cannot be rebuilt CONCURRENTLY: this blocks writes to ${index.table} (and reads that would use the index) while it runs.`,
    };
  }
  return {
    sql: sql`REINDEX INDEX CONCURRENTLY ${name};`,
    caveat:
      " REINDEX CONCURRENTLY (PostgreSQL 12+) rebuilds it without blocking writes; it cannot run inside a transaction block.",
  };
}

/** A name for a new object in a schema that no table, index or sequence there has, at most 63 bytes. */
export function freeRelationName(snapshot: Snapshot, schema: string, wanted: string): string {
  const taken = new Set([
    ...snapshot.tables.filter((t) => t.schema === schema).map((t) => t.name),
    ...snapshot.indexes.filter((i) => i.schema === schema).map((i) => i.name),
    ...snapshot.sequences.filter((s) => s.schema === schema).map((s) => s.name),
  ]);
  return freeName(taken, wanted);
}

/** A column name from pg_get_indexdef(oid, n, true) back to the name, or null when the key is an expression. */
export function indexKeyColumn(item: string): string | null {
  if (/^"(?:[^"]|"")*"$/.test(item)) return item.slice(1, -1).replace(/""/g, '"');
  return /^[a-z_][a-z0-9_$]*$/.test(item) ? item : null;
}
