/**
 * `SELECT g, max(x) FROM t GROUP BY g` reads every row of t, although a B-tree on (g, x) holds each group's
 * maximum at one end of the group: PostgreSQL uses that for a plain max(x), not per group. The distinct g values
 * come from the wiki's loose index scan (one probe per group) and each group's min/max from one more probe:
 * `WITH RECURSIVE loose AS (…) SELECT value AS g, (SELECT max(x) FROM t WHERE g = loose.value) AS max FROM loose`.
 * The same groups (g NOT NULL: the recursion skips NULL, where GROUP BY would make a NULL group) and the same
 * values (max over a group's rows, NULL when all its x are NULL). Only min and max, each with an index leading
 * (g, x); no WHERE, HAVING or LIMIT.
 */

import { parseSql } from "../../util/sql-parser.js";
import { ident, list, type SqlText, sql } from "../../util/sql-text.js";
import { groupsUnderNondeterministicCollation, looseScan, relation } from "./loose-scan-shape.js";
import { leadingIndex } from "./rewrite-query-shape.js";
import type { RewriteRule, RewriteTable } from "./rewrite-rule.js";
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

export const groupMinMaxLooseScan: RewriteRule = {
  id: "rewrite/group-min-max-loose-scan",
  title: "min/max per group read from every row",
  description:
    "SELECT g, min(x)/max(x) … GROUP BY g with a B-tree on (g, x) and g NOT NULL becomes a loose index scan over the groups with one index probe for each group's min or max.",
  docsUrl: "https://wiki.postgresql.org/wiki/Loose_indexscan",
  rewrite(input) {
    const select = topSelect(input.tree);
    if (!isPlainSelect(select) || select.withClause || select.whereClause || select.havingClause) return [];
    if (select.limitCount || select.limitOffset || select.windowClause || select.distinctClause) return [];
    const from = items(select, "fromClause");
    const tables = fromTables(from);
    if (from.length !== 1 || tables.length !== 1 || fromRefs(from).length !== 1) return [];
    const fromTable = tables[0] as (typeof tables)[number];
    if (at(fromTable.node, "RangeVar")?.inh !== true) return [];
    const table = input.schema.table(fromTable.relname, fromTable.schemaname);
    const groups = items(select, "groupClause");
    const group = ownColumn(groups[0], fromTable.ref);
    if (!table || groups.length !== 1 || !group || input.schema.notNull(table, group) !== true) return [];
    const groupIndex = leadingIndex(table, group);
    if (!groupIndex) return [];
    const parts: Array<
      { kind: "group"; name: string } | { kind: "aggregate"; fn: "min" | "max"; column: string; name: string }
    > = [];
    const indexes = new Set<string>([groupIndex]);
    for (const target of items(select, "targetList")) {
      const res = at(target, "ResTarget");
      const val = at(res, "val");
      const name = res?.name as string | undefined;
      if (ownColumn(val, fromTable.ref) === group) {
        parts.push({ kind: "group", name: name ?? group });
        continue;
      }
      const aggregate = minOrMax(val, fromTable.ref);
      const index = aggregate ? pairIndex(table, group, aggregate.column) : undefined;
      if (!aggregate || !index) return [];
      indexes.add(index);
      parts.push({ kind: "aggregate", ...aggregate, name: name ?? aggregate.fn });
    }
    if (!parts.some((p) => p.kind === "aggregate")) return [];
    const read = [group, ...parts.flatMap((p) => (p.kind === "aggregate" ? [p.column] : []))];
    if (groupsUnderNondeterministicCollation(table, read)) return [];
    const groupName = parts.find((p) => p.kind === "group")?.name;
    const order = orderOf(select, group, groupName, new Set(parts.map((p) => p.name)));
    if (order === null) return [];
    const loose = looseScan(
      fromTable.schemaname,
      fromTable.relname,
      group,
      parts.flatMap((p) => (p.kind === "aggregate" ? [p.column, p.name] : [p.name])),
    );
    const qualified = relation(fromTable.schemaname, fromTable.relname);
    const columns: SqlText[] = parts.map((p) =>
      p.kind === "group"
        ? sql`${loose.name}.value AS ${ident(p.name)}`
        : sql`(SELECT ${p.fn === "min" ? sql`min` : sql`max`}(${ident(p.column)}) FROM ${qualified} WHERE ${ident(group)} = ${loose.name}.value) AS ${ident(p.name)}`,
    );
    // ORDER BY the group's output name: in the original a name is an output column's first.
    if (order !== "" && (!groupName || parts.some((p) => p.kind === "aggregate" && p.name === groupName)))
      return [];
    const orderBy =
      !groupName || order === ""
        ? sql``
        : sql` ORDER BY ${ident(groupName)}${order === "DESC" ? sql` DESC` : sql``}`;
    const text = sql`${loose.withClause} SELECT ${list(columns)} FROM ${loose.name} WHERE ${loose.name}.value IS NOT NULL${orderBy}`;
    const rewritten = deparseStatement(parseSql(text));
    if (!rewritten) return [];
    return [
      {
        ruleId: this.id,
        sql: rewritten,
        summary: `GROUP BY ${group} with min/max → loose index scan over ${tableLabel(table)}'s groups, one probe per group`,
        why: "Each group costs two index probes (its key, then its min or max at one end of the index) instead of reading all its rows: far faster with few groups among many rows.",
        assumptions: [
          `${tableLabel(table)}.${group} is NOT NULL (GROUP BY would make a NULL group the recursion skips)`,
          `B-tree ${[...indexes].join(", ")} lead${indexes.size === 1 ? "s" : ""} with ${group} (then the aggregated column)`,
        ],
      },
    ];
  },
};

/** The column a plain reference names when it is the FROM table's (qualified by it, or unqualified). */
function ownColumn(node: unknown, ref: string): string | undefined {
  const fields = columnRef(node);
  if (!fields || fields.at(-1) === "*") return undefined;
  if (fields.length === 1 || (fields.length === 2 && fields[0] === ref)) return fields.at(-1);
  return undefined;
}

function minOrMax(node: unknown, ref: string): { fn: "min" | "max"; column: string } | undefined {
  const call = at(node, "FuncCall");
  const names = items(call, "funcname").map((n) => String(at(n, "String")?.sval ?? "").toLowerCase());
  const args = items(call, "args");
  if (!call || names.length !== 1 || args.length !== 1) return undefined;
  if (call.agg_distinct || call.agg_filter || call.agg_order || call.over || call.agg_star) return undefined;
  const fn = names[0];
  const column = ownColumn(args[0], ref);
  return (fn === "min" || fn === "max") && column ? { fn, column } : undefined;
}

/** A plain B-tree whose first two keys are (group, column). */
function pairIndex(table: RewriteTable, group: string, column: string): string | undefined {
  return table.indexes.find(
    (i) => i.method === "btree" && i.predicate === null && i.columns[0] === group && i.columns[1] === column,
  )?.name;
}

/** ORDER BY the group column ("ASC"/"DESC"), "" for none, null for any other ORDER BY. */
function orderOf(
  select: Node,
  group: string,
  output: string | undefined,
  outputs: Set<string>,
): "ASC" | "DESC" | "" | null {
  const sorts = items(select, "sortClause");
  if (sorts.length === 0) return "";
  const sort = at(sorts[0], "SortBy");
  if (sorts.length !== 1 || !sort || sort.sortby_nulls !== "SORTBY_NULLS_DEFAULT") return null;
  const name = columnRef(at(sort, "node"));
  if (name?.length !== 1 || (name[0] !== group && name[0] !== output)) return null;
  // `ORDER BY g` means an output column named g when there is one: it must be the group's.
  if (name[0] === group && output !== undefined && output !== group && outputs.has(group)) return null;
  return sort.sortby_dir === "SORTBY_DESC" ? "DESC" : "ASC";
}
