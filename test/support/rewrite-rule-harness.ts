/** Running one query rewrite rule on a statement and a described schema, for the rules' unit tests. */
import {
  type Rewrite,
  type RewriteFunction,
  type RewriteRule,
  type RewriteTable,
  rewriteSchemaFrom,
  statementSchema,
} from "../../src/rules/rewrite/rewrite-rule.js";
import { parseSql } from "../../src/util/sql-parser.js";
import { PG_CATALOG_FUNCTIONS } from "./pg-catalog-functions.js";

type Column = [name: string, type: string, notNull?: boolean];

/** A table for a test schema: columns as [name, type, notNull], unique keys and indexes as column lists. */
export function table(
  name: string,
  columns: Column[],
  extra: { uniqueKeys?: string[][]; indexes?: string[][]; schema?: string; rows?: number } = {},
): RewriteTable {
  return {
    schema: extra.schema ?? "public",
    name,
    columns: columns.map(([n, type, notNull]) => ({ name: n, type, notNull: notNull === true })),
    uniqueKeys: extra.uniqueKeys ?? [],
    foreignKeys: [],
    indexes: (extra.indexes ?? []).map((cols, i) => ({
      name: `${name}_idx_${i}`,
      columns: cols,
      method: "btree",
      predicate: null,
    })),
    rowsEstimate: extra.rows ?? 1000,
  };
}

/**
 * The rule's rewrites of `sql` (the parser must be loaded), with PostgreSQL 15's common pg_catalog functions and
 * the test's own `functions` known.
 */
export function rewritesOf(
  rule: RewriteRule,
  sql: string,
  tables: RewriteTable[],
  serverVersion = 150000,
  functions: RewriteFunction[] = [],
): Rewrite[] {
  const tree = parseSql(sql) as never;
  const schema = statementSchema(rewriteSchemaFrom(tables, [...PG_CATALOG_FUNCTIONS, ...functions]), tree);
  return rule.rewrite({ sql, tree, schema, serverVersion });
}

/** The one rewrite's SQL, or null when the rule declines. */
export function rewrittenSql(
  rule: RewriteRule,
  sql: string,
  tables: RewriteTable[],
  serverVersion = 150000,
  functions: RewriteFunction[] = [],
): string | null {
  const found = rewritesOf(rule, sql, tables, serverVersion, functions);
  if (found.length > 1) throw new Error(`expected at most one rewrite, got ${found.length}`);
  return found[0]?.sql ?? null;
}
