/**
 * `SELECT DISTINCT a.… FROM a JOIN b ON …` where DISTINCT only hides the join's fan-out: the select list reads only
 * a, and it includes a unique key of a whose columns are NOT NULL, so two different rows of a never give equal output
 * rows and every duplicate comes from one row of a matching several rows of b. Then
 * `SELECT a.… FROM a WHERE … AND EXISTS (SELECT 1 FROM b WHERE <join condition> AND <b's conditions>)` returns the
 * same rows: a semi-join stops at the first match and nothing needs sorting or hashing to remove duplicates.
 * With `a LEFT JOIN b` and no condition on b, the join only multiplies rows: it is dropped.
 */
import { aggregatesOrWindows } from "./rewrite-query-shape.js";
import type { RewriteRule, RewriteSchema, RewriteTable } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  callsSetReturning,
  callsVolatile,
  columnRef,
  columnRefsUnder,
  deparseStatement,
  type FromTable,
  fromRefs,
  fromTables,
  hasSubLink,
  isPlainSelect,
  items,
  type Node,
  resolveColumn,
  tableLabel,
  topSelect,
} from "./rewrite-tree-shape.js";

export const distinctJoinToExists: RewriteRule = {
  id: "rewrite/distinct-join-to-exists",
  title: "DISTINCT that only hides a join's duplicates",
  description:
    "SELECT DISTINCT over a join whose select list reads one table, including a NOT NULL unique key of it, is that table filtered by EXISTS on the other: no duplicates are made, so none need removing.",
  docsUrl: "https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-EXISTS",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const select = topSelect(tree);
    if (!isPlainSelect(select) || !isPlainDistinct(select)) return [];
    if (select.groupClause || select.havingClause || select.windowClause || select.withClause) return [];
    const from = items(select, "fromClause");
    const pair = joinedPair(from);
    // The EXISTS stops at the first match and the dropped LEFT JOIN evaluates nothing: a volatile ON would differ.
    if (!pair || callsVolatile(pair.quals, input.schema)) return [];
    const targets = items(select, "targetList");
    const schema = input.schema;
    if (hasSubLink(targets) || callsVolatile(targets, schema) || callsVolatile(select.whereClause, schema))
      return [];
    // An aggregate or window over the join (count(*) OVER ()) counts the copies the rewrite no longer makes, and
    // a set-returning function (unnest(a.tags)) makes copies of a's rows that DISTINCT removed.
    if (aggregatesOrWindows(targets, schema) || callsSetReturning(targets, schema)) return [];
    for (const [kept, other] of [
      [pair.left, pair.right],
      [pair.right, pair.left],
    ] as Array<[FromTable, FromTable]>) {
      // An outer join keeps a's rows whatever b holds; the other way round it would drop a's rows.
      if (pair.kind === "left" && kept !== pair.left) continue;
      const keptTable = input.schema.table(kept.relname, kept.schemaname);
      const otherTable = input.schema.table(other.relname, other.schemaname);
      if (!keptTable || !otherTable) return [];
      const key = selectedKey(select, from, kept, keptTable, input.schema);
      if (!key) continue;
      const owner = (fields: string[]) => ownerOf(fields, from, input.schema);
      const terms = andTerms(at(select, "whereClause"));
      if (terms.some((t) => hasSubLink(t))) return [];
      const owners = terms.map((t) => columnRefsUnder(t).map(owner));
      if (owners.some((o) => o.includes(undefined))) return [];
      const sortRefs = columnRefsUnder(select.sortClause).map(owner);
      if (sortRefs.some((o) => o !== kept.ref)) continue;
      const outer = terms.filter((_, i) => !owners[i]?.includes(other.ref));
      const inner = terms.filter((_, i) => owners[i]?.includes(other.ref));
      select.distinctClause = undefined;
      if (pair.kind === "left") {
        if (inner.length > 0) return [];
        select.fromClause = [kept.node];
      } else {
        const exists: Node = {
          SubLink: {
            subLinkType: "EXISTS_SUBLINK",
            subselect: {
              SelectStmt: {
                targetList: [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }],
                fromClause: [other.node],
                whereClause: andOf([...andTerms(pair.quals), ...inner]),
                limitOption: "LIMIT_OPTION_DEFAULT",
                op: "SETOP_NONE",
              },
            },
          },
        };
        select.fromClause = [kept.node];
        select.whereClause = andOf([...outer, exists]);
      }
      const sql = deparseStatement(tree);
      if (!sql) return [];
      const a = tableLabel(keptTable);
      const b = tableLabel(otherTable);
      return [
        {
          ruleId: this.id,
          sql,
          summary:
            pair.kind === "left"
              ? `SELECT DISTINCT … ${a} LEFT JOIN ${b} → SELECT … FROM ${a}`
              : `SELECT DISTINCT … ${a} JOIN ${b} → SELECT … FROM ${a} WHERE EXISTS (… ${b} …)`,
          why:
            pair.kind === "left"
              ? `The outer join only repeats rows of ${a}, which DISTINCT then removes; reading ${a} alone skips both.`
              : `The join makes one row per match and DISTINCT then removes the copies; a semi-join (EXISTS) stops at the first match of each ${a} row and needs no sort or hash to deduplicate.`,
          assumptions: [
            `${a} rows are unique by (${key.join(", ")}), all NOT NULL, and the select list includes them`,
            `the select list, ORDER BY and the moved conditions read only ${a}'s columns outside the EXISTS`,
          ],
        },
      ];
    }
    return [];
  },
};

/** `SELECT DISTINCT`, not `DISTINCT ON (…)`. */
function isPlainDistinct(select: Node): boolean {
  const list = items(select, "distinctClause");
  return list.length === 1 && Object.keys(list[0] as Node).length === 0;
}

/**
 * Two tables and nothing else in FROM (fromRefs counts every item: a function, a subquery or VALUES is one more
 * source of rows), joined inner (JOIN … ON, or a comma with the condition in WHERE) or LEFT JOIN … ON.
 */
function joinedPair(
  from: Node[],
): { left: FromTable; right: FromTable; quals: Node | undefined; kind: "inner" | "left" } | null {
  const tables = fromTables(from);
  if (tables.length !== 2 || fromRefs(from).length !== 2) return null;
  const [left, right] = tables as [FromTable, FromTable];
  if (left.ref === right.ref) return null;
  if (from.length === 2) return { left, right, quals: undefined, kind: "inner" };
  const join = at(from[0], "JoinExpr");
  if (!join || join.usingClause || join.isNatural || join.alias) return null;
  // The join of the two tables itself, whose ON is the condition the EXISTS takes.
  if (!at(join, "larg", "RangeVar") || !at(join, "rarg", "RangeVar")) return null;
  if (join.jointype === "JOIN_INNER" && at(join, "quals"))
    return { left, right, quals: at(join, "quals"), kind: "inner" };
  if (join.jointype === "JOIN_LEFT") return { left, right, quals: at(join, "quals"), kind: "left" };
  return null;
}

/** The name (alias) of the table a column reference belongs to, or undefined when not known for sure. */
function ownerOf(fields: string[], from: Node[], schema: RewriteSchema): string | undefined {
  if (fields.length === 2 && fields[1] === "*") return fields[0];
  return resolveColumn(schema, from, fields)?.ref;
}

/** The NOT NULL unique key of the kept table its select list includes, when every output reads only it. */
function selectedKey(
  select: Node,
  from: Node[],
  kept: FromTable,
  table: RewriteTable,
  schema: RewriteSchema,
): string[] | null {
  const selected = new Set<string>();
  for (const target of items(select, "targetList")) {
    const val = at(target, "ResTarget", "val");
    const fields = columnRef(val);
    if (fields && fields.length === 1 && fields[0] === "*") return null;
    if (fields?.length === 2 && fields[1] === "*") {
      if (fields[0] !== kept.ref) return null;
      for (const c of table.columns) selected.add(c.name);
      continue;
    }
    const refs = columnRefsUnder(val);
    if (refs.some((r) => ownerOf(r, from, schema) !== kept.ref)) return null;
    if (fields) selected.add(fields.at(-1) as string);
  }
  return (
    table.uniqueKeys.find(
      (k) => k.length > 0 && k.every((c) => selected.has(c) && schema.notNull(table, c) === true),
    ) ?? null
  );
}
