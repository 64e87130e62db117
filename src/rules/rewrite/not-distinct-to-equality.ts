/**
 * `col IS NOT DISTINCT FROM c` with c a constant that is not NULL, among the ANDed terms of a WHERE → `col = c`.
 * PostgreSQL cannot use an index for IS NOT DISTINCT FROM (it is no index operator), so the term is a filter over
 * every row; `col = c` is an index condition. Both compare with the type's `=`: for a row whose col is not NULL
 * they agree, and a NULL col gives false against NULL, which a term of WHERE's top-level AND does not tell apart
 * (under NOT, OR's other branch being NULL too, or in a select list they differ: left alone). A `$n` could be
 * NULL, where IS NOT DISTINCT FROM matches the NULL rows and `=` none: only literal constants.
 */
import { leadingIndex } from "./rewrite-query-shape.js";
import type { Rewrite, RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  at,
  columnRef,
  constant,
  deparseNode,
  deparseStatement,
  items,
  makeBinaryOp,
  type Node,
  resolveColumn,
  rewriteWhereTerms,
  tableLabel,
} from "./rewrite-tree-shape.js";

export const notDistinctToEquality: RewriteRule = {
  id: "rewrite/not-distinct-to-equality",
  title: "IS NOT DISTINCT FROM a constant as =",
  description:
    "col IS NOT DISTINCT FROM a non-NULL constant, as a WHERE condition, is col = constant: the same rows, and an index on col can serve it.",
  docsUrl: "https://www.postgresql.org/docs/current/functions-comparison.html",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const changed: string[] = [];
    const assumptions: string[] = [];
    rewriteWhereTerms(tree, (term, from) => {
      const found = equalityFor(term, from, input.schema);
      if (!found) return undefined;
      changed.push(`${deparseNode(term)} → ${deparseNode(found.term)}`);
      assumptions.push(found.assumption);
      return [found.term];
    });
    if (changed.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: changed.join("; "),
        why: "IS NOT DISTINCT FROM is no index operator, so PostgreSQL filters every row with it; = against the same constant is an index condition on the column.",
        assumptions: [
          ...new Set([
            ...assumptions,
            "only in WHERE's ANDed terms, where false (a NULL column under IS NOT DISTINCT FROM) and NULL (under =) both drop the row",
          ]),
        ],
      },
    ];
  },
};

function equalityFor(
  term: Node,
  from: Node[],
  schema: RewriteSchema,
): { term: Node; assumption: string } | undefined {
  const expr = at(term, "A_Expr");
  const op = at(items(expr, "name")[0], "String")?.sval;
  if (expr?.kind !== "AEXPR_NOT_DISTINCT" || op !== "=") return undefined;
  for (const [side, other] of [
    [at(expr, "lexpr"), at(expr, "rexpr")],
    [at(expr, "rexpr"), at(expr, "lexpr")],
  ]) {
    const fields = columnRef(side);
    if (!fields || !side || !other || !literal(other)) continue;
    const column = resolveColumn(schema, from, fields);
    const index = column ? leadingIndex(column.table, column.column.name) : undefined;
    if (!column || !index) continue;
    return {
      term: makeBinaryOp("=", structuredClone(side), structuredClone(other)),
      assumption: `${deparseNode(other)} is not NULL, and the B-tree ${index} leads with ${tableLabel(column.table)}.${column.column.name}`,
    };
  }
  return undefined;
}

/** A literal that is not NULL, bare or cast (`'x'::text`, `CAST(3 AS bigint)`): never a $n or an expression. */
function literal(node: Node): boolean {
  const cast = at(node, "TypeCast");
  const value = constant(cast ? at(cast, "arg") : node);
  return value !== null && value.kind !== "null";
}
