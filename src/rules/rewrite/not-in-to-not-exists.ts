/**
 * `x NOT IN (SELECT y FROM ...)` → `NOT EXISTS (SELECT 1 FROM ... WHERE y = x)`. PostgreSQL cannot turn NOT IN
 * into an anti-join (a NULL among the y would make every row's NOT IN unknown), so it runs a hashed SubPlan at
 * best and a SubPlan per outer row at worst. The two mean the same only when neither side can be NULL, so the rule
 * rewrites only where the schema says both columns are NOT NULL (and neither sits on the nullable side of an outer
 * join), and only for terms of a WHERE's top-level AND.
 */
import { columnName, existsFor, inSubquery } from "./exists-subquery-shape.js";
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import { allSelects, andOf, andTerms, at, deparseStatement, items } from "./rewrite-tree-shape.js";

export const notInToNotExists: RewriteRule = {
  id: "rewrite/not-in-to-not-exists",
  title: "NOT IN (subquery) as NOT EXISTS",
  description:
    "NOT IN over a subquery cannot become an anti-join; NOT EXISTS can, and means the same when neither column can be NULL.",
  docsUrl: "https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_NOT_IN",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    // Innermost first: an outer rewrite copies its subquery, which then holds the inner rewrites already.
    for (const select of allSelects(tree).reverse()) {
      const where = at(select, "whereClause");
      if (!where) continue;
      let changed = false;
      const terms = andTerms(where).map((term) => {
        const found = inSubquery(term, true, items(select, "fromClause"), input.schema);
        if (!found) return term;
        const { outer, innerColumn } = found;
        // NULL on either side changes NOT IN's answer: only NOT NULL columns, not under an outer join.
        if (outer.nullable || innerColumn.nullable) return term;
        if (!outer.column.notNull || !innerColumn.column.notNull) return term;
        assumptions.push(
          `${columnName(outer)} and ${columnName(innerColumn)} are NOT NULL (so NOT IN and NOT EXISTS agree)`,
        );
        changed = true;
        return existsFor(found, true);
      });
      if (changed) select.whereClause = andOf(terms);
    }
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
