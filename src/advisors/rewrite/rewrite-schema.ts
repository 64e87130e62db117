/**
 * The schema knowledge the rewrite rules read, for one database: the snapshot's tables with their columns'
 * collations (no unique keys for an inheritance parent nor deferrable ones), each unqualified name looked up on the session's
 * search_path, and pg_proc's word on every function the statements call (by name, all overloads).
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { Snapshot } from "../../facts/snapshot.js";
import {
  type RewriteSchema,
  rewriteSchemaFrom,
  rewriteTablesFromSnapshot,
} from "../../rules/rewrite/rewrite-rule.js";
import { calledFunctionNames } from "../../rules/rewrite/rewrite-tree-shape.js";
import { tryParseSql } from "../../util/sql-parser.js";
import { calledFunctions } from "./called-functions.js";
import { withCollations } from "./column-collations.js";
import { withoutDeferrableKeys } from "./deferrable-keys.js";
import { withoutKeysOverChildren } from "./inherited-keys.js";
import { onSearchPath } from "./search-path-tables.js";

export async function readRewriteSchema(
  db: PostgresConnector,
  snapshot: Snapshot,
  statements: string[],
): Promise<RewriteSchema> {
  const tables = await withoutDeferrableKeys(
    db,
    await withoutKeysOverChildren(
      db,
      await withCollations(db, rewriteTablesFromSnapshot(snapshot), snapshot.server.versionNum),
    ),
  );
  const trees = statements.map((sql) => tryParseSql(sql) ?? {});
  const names = new Set(trees.flatMap((tree) => calledFunctionNames(tree)));
  return onSearchPath(db, rewriteSchemaFrom(tables, await calledFunctions(db, [...names])), trees);
}
