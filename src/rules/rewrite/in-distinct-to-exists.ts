/**
 * `x IN (SELECT DISTINCT y FROM ...)` → `EXISTS (SELECT 1 FROM ... WHERE y = x)`. The DISTINCT keeps PostgreSQL
 * from pulling the subquery up into a semi-join over its table: it first de-duplicates all of the subquery's rows,
 * then joins. EXISTS is a semi-join already (duplicates cannot multiply rows), so it can probe an index on y for
 * each outer row and stop at the first match. IN and EXISTS differ only in NULL against FALSE, which a term of a
 * WHERE's top-level AND does not tell apart: only those are rewritten.
 */
import { columnName, existsFor, inSubquery } from "./exists-subquery-shape.js";
import type { Rewrite, RewriteRule } from "./rewrite-rule.js";
import { deparseStatement, rewriteWhereTerms } from "./rewrite-tree-shape.js";

export const inDistinctToExists: RewriteRule = {
  id: "rewrite/in-distinct-to-exists",
  title: "IN (SELECT DISTINCT ...) as EXISTS",
  description:
    "DISTINCT inside an IN subquery makes PostgreSQL de-duplicate the whole subquery before joining; EXISTS is a semi-join that stops at the first match.",
  docsUrl: "https://www.postgresql.org/docs/current/functions-subquery.html",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    rewriteWhereTerms(tree, (term, from) => {
      const found = inSubquery(term, false, from, input.schema);
      if (!found?.distinct) return undefined;
      assumptions.push(
        `${columnName(found.outer)} IN (SELECT DISTINCT ${columnName(found.innerColumn)} …) is a term of WHERE's top-level AND, where NULL and false both drop the row`,
      );
      return [existsFor(found, false)];
    });
    if (assumptions.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: "IN (SELECT DISTINCT …) → EXISTS",
        why: "EXISTS runs as a semi-join that can probe an index per outer row and stops at the first match; the DISTINCT subquery is de-duplicated in full before the join.",
        assumptions,
      },
    ];
  },
};
