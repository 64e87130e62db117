/**
 * `... ORDER BY k LIMIT n OFFSET m` → `... WHERE k > $last ORDER BY k LIMIT n` (keyset pagination, `<` for DESC).
 * OFFSET reads and throws away m rows for every page, so page 1000 costs a thousand pages; the keyset form starts
 * at the last key the application saw, through the index on k, so every page costs one page. It needs the last
 * key of the previous page as a new parameter: the application must keep it (the `why` says so). Only for one
 * table ordered by one NOT NULL column that is unique by itself, so a key names exactly one position.
 *
 * The proof runs both on the page the original asks for: $last is read by `valueSql`, the key of the row just
 * before that page (the m-th in order), so the two pages must hold the same rows in the same order.
 */
import { aggregatesOrWindows, highestParameter, leadingIndex } from "./rewrite-query-shape.js";
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  callsSetReturning,
  columnRef,
  constant,
  deparseStatement,
  fromTables,
  isPlainSelect,
  items,
  makeBinaryOp,
  makeColumnRef,
  type Node,
  resolveColumn,
  tableLabel,
  topSelect,
} from "./rewrite-tree-shape.js";

export const offsetToKeyset: RewriteRule = {
  id: "rewrite/offset-to-keyset",
  title: "OFFSET pagination as keyset pagination",
  description:
    "LIMIT … OFFSET m reads and discards m rows on every page; WHERE key > last seen key reads only the page, through the key's index.",
  docsUrl: "https://www.postgresql.org/docs/current/queries-limit.html",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const select = topSelect(tree);
    if (!isPlainSelect(select) || select.withClause || !select.limitOffset || !select.limitCount) return [];
    if (select.limitOption !== "LIMIT_OPTION_COUNT") return []; // FETCH ... WITH TIES
    if (select.distinctClause || select.groupClause || select.havingClause || select.windowClause) return [];
    // A set-returning function (unnest(tags)) gives one key several rows: a page can end inside them, and
    // `key > $last` would then skip the rest.
    if (aggregatesOrWindows(select.targetList, input.schema)) return [];
    if (callsSetReturning(select.targetList, input.schema)) return [];
    const offset = constant(select.limitOffset);
    if (offset?.kind !== "int" || offset.value <= 0n) return [];
    const from = items(select, "fromClause");
    if (from.length !== 1 || fromTables(from).length !== 1 || !at(from[0], "RangeVar")) return [];
    const sorts = items(select, "sortClause");
    const sort = at(sorts[0], "SortBy");
    if (sorts.length !== 1 || !sort || sort.useOp || sort.sortby_nulls !== "SORTBY_NULLS_DEFAULT") return [];
    const fields = columnRef(sort.node);
    const key = fields ? resolveColumn(input.schema, from, fields) : undefined;
    if (!key?.column.notNull || !input.schema.isUnique(key.table, [key.column.name])) return [];
    const descending = sort.sortby_dir === "SORTBY_DESC";
    const last = highestParameter(tree) + 1;
    const keyRef = makeColumnRef([key.ref, key.column.name]);

    // The proof's value for $last: the key of the m-th row in the original's order, with the original's filter.
    const previous = structuredClone(select);
    previous.targetList = [{ ResTarget: { val: keyRef } }];
    previous.limitCount = { A_Const: { ival: { ival: 1 } } };
    previous.limitOffset = { A_Const: { ival: { ival: Number(offset.value - 1n) } } };
    const valueSql = deparseStatement({ version: 0, stmts: [{ stmt: { SelectStmt: previous } }] });

    select.whereClause = andOf([
      ...andTerms(at(select, "whereClause")),
      makeBinaryOp(descending ? "<" : ">", keyRef, { ParamRef: { number: last } } as Node),
    ]);
    delete select.limitOffset;
    const sql = deparseStatement(tree);
    if (!sql || !valueSql) return [];
    const label = `${tableLabel(key.table)}.${key.column.name}`;
    const index = leadingIndex(key.table, key.column.name);
    return [
      {
        ruleId: this.id,
        sql,
        summary: `OFFSET ${offset.value} → WHERE ${key.column.name} ${descending ? "<" : ">"} $${last} (keyset pagination)`,
        why: `OFFSET reads and discards ${offset.value} rows before each page; the keyset form starts ${index ? `in the index ${index}` : "at the key"} right after the last row the application showed, so every page costs the same. The application must pass the previous page's last ${key.column.name} as $${last} (and nothing for page 1).`,
        assumptions: [
          `${label} is NOT NULL and unique, so a key names exactly one position in the order`,
          `the proof compares the page the original asks for: $${last} = the ${key.column.name} of row ${offset.value} in that order`,
        ],
        addedParameters: [
          { number: last, meaning: `the last ${key.column.name} of the previous page`, valueSql },
        ],
      },
    ];
  },
};
