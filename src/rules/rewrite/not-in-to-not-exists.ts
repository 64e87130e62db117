/**
 * `x NOT IN (SELECT y FROM t WHERE p)` → `NOT EXISTS (SELECT 1 FROM t WHERE p AND y = x)`. PostgreSQL cannot turn
 * NOT IN into an anti-join (a NULL among the y makes every row's NOT IN unknown), so it runs a hashed SubPlan at
 * best and a SubPlan per outer row at worst. Where the schema says both columns are NOT NULL (and neither sits on
 * the nullable side of an outer join) the two mean the same. Where either may be NULL, the rewrite keeps NOT IN's
 * answer explicitly: `AND NOT EXISTS (SELECT 1 FROM t WHERE p AND y IS NULL)` (one NULL y drops every row) when y
 * may be NULL, and `AND (x IS NOT NULL OR NOT EXISTS (SELECT 1 FROM t WHERE p))` (a NULL x is kept only against
 * an empty subquery) when x may be; both run once, not per row, when p does not refer to the outer query.
 * Only for terms of a WHERE's top-level AND, where NULL and false both drop the row.
 */
import { columnName, existsFor, existsWhere, inSubquery } from "./exists-subquery-shape.js";
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import { deparseStatement, makeColumnRef, type Node, rewriteWhereTerms } from "./rewrite-tree-shape.js";

export const notInToNotExists: RewriteRule = {
  id: "rewrite/not-in-to-not-exists",
  title: "NOT IN (subquery) as NOT EXISTS",
  description:
    "NOT IN over a subquery cannot become an anti-join; NOT EXISTS can, and means the same when neither column can be NULL.",
  docsUrl: "https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_NOT_IN",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    rewriteWhereTerms(tree, (term, from) => {
      const found = inSubquery(term, true, from, input.schema);
      if (!found) return undefined;
      const { outer, innerColumn } = found;
      const outerMayBeNull = outer.nullable || !outer.column.notNull;
      const innerMayBeNull = innerColumn.nullable || !innerColumn.column.notNull;
      const kept: Node[] = [existsFor(found, true)];
      if (innerMayBeNull) {
        const isNull = {
          NullTest: {
            arg: makeColumnRef([innerColumn.ref, innerColumn.column.name]),
            nulltesttype: "IS_NULL",
          },
        };
        kept.push(existsWhere(found, isNull, true));
        assumptions.push(
          `${columnName(innerColumn)} may be NULL: NOT EXISTS (… IS NULL) keeps NOT IN's answer (no row at all when the subquery holds a NULL)`,
        );
      }
      if (outerMayBeNull) {
        const isNotNull = {
          NullTest: { arg: makeColumnRef([outer.ref, outer.column.name]), nulltesttype: "IS_NOT_NULL" },
        };
        kept.push({ BoolExpr: { boolop: "OR_EXPR", args: [isNotNull, existsWhere(found, null, true)] } });
        assumptions.push(
          `${columnName(outer)} may be NULL: a NULL is kept only when the subquery returns no row, as NOT IN does`,
        );
      }
      if (!innerMayBeNull && !outerMayBeNull)
        assumptions.push(
          `${columnName(outer)} and ${columnName(innerColumn)} are NOT NULL (so NOT IN and NOT EXISTS agree)`,
        );
      return kept;
    });
    if (assumptions.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: "NOT IN (subquery) → NOT EXISTS",
        why: "NOT EXISTS can run as an anti-join (hash or merge, or an index probe per row); NOT IN runs as a SubPlan, which re-scans the subquery or must hash all of it in work_mem.",
        assumptions,
      },
    ];
  },
};
