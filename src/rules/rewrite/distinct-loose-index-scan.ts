/**
 * `SELECT DISTINCT col FROM t` (or `GROUP BY col`) reads every row of t, although a B-tree on col could jump from
 * one value to the next: PostgreSQL has no skip scan before 18 and does not do this by itself. The recursive CTE
 * of the PostgreSQL wiki's "Loose indexscan" asks the index for the first value, then for the first value above
 * it, once per distinct value: with few distinct values among many rows that is a few index probes instead of a
 * full read. The recursion skips NULL, so only for a NOT NULL column (a DISTINCT over a nullable one returns one
 * NULL row the recursion would not).
 */

import { parseSql } from "../../util/sql-parser.js";
import { ident, sql } from "../../util/sql-text.js";
import { groupsUnderNondeterministicCollation, looseScan } from "./loose-scan-shape.js";
import { leadingIndex } from "./rewrite-query-shape.js";
import type { RewriteRule } from "./rewrite-rule.js";
import {
  at,
  columnRef,
  deparseStatement,
  fromRefs,
  fromTables,
  isPlainSelect,
  items,
  type Node,
  tableLabel,
  topSelect,
} from "./rewrite-tree-shape.js";

export const distinctLooseIndexScan: RewriteRule = {
  id: "rewrite/distinct-loose-index-scan",
  title: "DISTINCT values of an indexed column read from every row",
  description:
    "SELECT DISTINCT on one NOT NULL column with a B-tree index becomes the wiki's recursive loose index scan: one index probe per distinct value instead of reading every row.",
  docsUrl: "https://wiki.postgresql.org/wiki/Loose_indexscan",
  minServerVersion: 80400,
  rewrite(input) {
    const select = topSelect(input.tree);
    if (!isPlainSelect(select) || select.withClause || select.whereClause || select.havingClause) return [];
    if (select.limitCount || select.limitOffset || select.windowClause) return [];
    const from = items(select, "fromClause");
    const tables = fromTables(from);
    const targets = items(select, "targetList");
    if (from.length !== 1 || tables.length !== 1 || fromRefs(from).length !== 1 || targets.length !== 1)
      return [];
    const fromTable = tables[0] as (typeof tables)[number];
    // Without inh (false is left out of the tree) it is `FROM ONLY t`: the rewrite would read the children too.
    if (at(fromTable.node, "RangeVar")?.inh !== true) return [];
    const target = at(targets[0], "ResTarget");
    const fields = columnRef(at(target, "val"));
    if (
      !fields ||
      fields.at(-1) === "*" ||
      (fields.length === 2 && fields[0] !== fromTable.ref) ||
      fields.length > 2
    )
      return [];
    const column = fields.at(-1) as string;
    if (!distinctOn(select, column)) return [];
    const table = input.schema.table(fromTable.relname, fromTable.schemaname);
    if (!table || input.schema.notNull(table, column) !== true) return [];
    if (groupsUnderNondeterministicCollation(table, [column])) return [];
    const index = leadingIndex(table, column);
    if (!index) return [];
    const order = orderOf(select, column, (target?.name as string | undefined) ?? column);
    if (order === null) return [];
    const outputName = (target?.name as string | undefined) ?? column;
    const loose = looseScan(fromTable.schemaname, fromTable.relname, column, [outputName]);
    const text = sql`${loose.withClause} SELECT value AS ${ident(outputName)} FROM ${loose.name} WHERE value IS NOT NULL${order === "ASC" ? sql` ORDER BY 1` : order === "DESC" ? sql` ORDER BY 1 DESC` : sql``}`;
    // Through the tree and the deparser like every rewrite, so the text is in one style and parses back.
    const rewritten = deparseStatement(parseSql(text));
    if (!rewritten) return [];
    return [
      {
        ruleId: this.id,
        sql: rewritten,
        summary: `SELECT DISTINCT ${column} FROM ${tableLabel(table)} → recursive loose index scan on ${index}`,
        why: "Each distinct value costs one probe of the index instead of reading every row: far faster when there are few distinct values among many rows (slower when almost every row is distinct, which the timing shows).",
        assumptions: [
          `${tableLabel(table)}.${column} is NOT NULL (the recursion skips NULL)`,
          `the B-tree ${index} leads with ${column}`,
        ],
      },
    ];
  },
};

/** `SELECT DISTINCT col` or `SELECT col … GROUP BY col`. */
function distinctOn(select: Node, column: string): boolean {
  const distinct = items(select, "distinctClause");
  const group = items(select, "groupClause");
  if (distinct.length === 1 && Object.keys(distinct[0] as Node).length === 0 && group.length === 0)
    return true;
  if (distinct.length > 0 || group.length !== 1) return false;
  return columnRef(group[0])?.at(-1) === column || at(group[0], "A_Const", "ival")?.ival === 1;
}

/** The ORDER BY on the column ("ASC"/"DESC"), "" for none, null for any other ORDER BY. */
function orderOf(select: Node, column: string, output: string): "ASC" | "DESC" | "" | null {
  const sorts = items(select, "sortClause");
  if (sorts.length === 0) return "";
  const sort = at(sorts[0], "SortBy");
  if (sorts.length !== 1 || !sort || sort.sortby_nulls !== "SORTBY_NULLS_DEFAULT") return null;
  const node = at(sort, "node");
  const name = columnRef(node)?.at(-1);
  const position = at(node, "A_Const", "ival")?.ival;
  if (name !== column && name !== output && position !== 1) return null;
  return sort.sortby_dir === "SORTBY_DESC" ? "DESC" : "ASC";
}
