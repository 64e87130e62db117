/**
 * What the Citus distribution-column rule reads: the tables with their size and how often the workload writes
 * them, and each statement reduced to the tables it reads (one entry per alias), its equality filters and its
 * equi-joins. The rule builds the join graph from these.
 */

/** A column of one table reference of a statement (ref: index into the statement's refs). */
export interface RefColumn {
  ref: number;
  column: string;
}

export interface DistributionStatement {
  query: string;
  calls: number;
  totalMs: number;
  /** Every table reference (an alias, a self-join's each side), as schema.table. */
  refs: string[];
  /** Columns compared by equality with one value (= $1, = 'x', IN with one value), not under an OR. */
  equalities: RefColumn[];
  /** Column = column between two references. */
  joins: Array<[RefColumn, RefColumn]>;
  /** INSERT … VALUES: the reference it writes and the columns it sets (all of the table's when it names none). */
  insert: { ref: number; columns: string[] } | null;
  /** The reference an INSERT, UPDATE or DELETE writes; null for reads. */
  written: number | null;
}

export interface DistributionTable {
  /** schema.table */
  name: string;
  schema: string;
  table: string;
  rows: number;
  columns: string[];
  /** Primary key and unique constraints: Citus needs the distribution column in each. */
  uniqueKeys: Array<{ name: string; columns: string[] }>;
  /** Foreign keys: the table (schema.table) each points at, and its columns on this table. */
  foreignKeys: Array<{ name: string; references: string; columns: string[] }>;
}

export interface DistributionFacts {
  tables: DistributionTable[];
  statements: DistributionStatement[];
}
