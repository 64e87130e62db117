/**
 * From PostgreSQL 12 a side-effect-free CTE referenced once is inlined into the query, so a filter on its columns
 * reaches its tables (and their indexes). It is computed once in full instead when it is referenced more than once
 * or written MATERIALIZED. Where every reference filters the CTE's columns:
 * - referenced more than once → `NOT MATERIALIZED`: each reference is planned with its own filter;
 * - referenced once but written MATERIALIZED → the keyword dropped: a fence that keeps the filter out.
 * Both are equivalent for a plain SELECT calling no volatile function (then one evaluation or several return the
 * same rows); a data-modifying or recursive CTE, FOR UPDATE, or a volatile call is declined.
 */
import type { RewriteRule } from "./rewrite-rule.js";
import {
  allSelects,
  andTerms,
  at,
  binaryOp,
  callsVolatile,
  columnRef,
  constant,
  deparseStatement,
  type FromTable,
  fromRefs,
  fromTables,
  items,
  type Node,
  topSelect,
  walk,
} from "./rewrite-tree-shape.js";

export const cteMaterialized: RewriteRule = {
  id: "rewrite/cte-materialized",
  title: "CTE computed in full although every reference filters it",
  description:
    "A CTE whose every reference filters its columns is inlined (NOT MATERIALIZED when referenced more than once, MATERIALIZED dropped when once), so each filter reaches the CTE's tables and indexes.",
  docsUrl: "https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-CTE-MATERIALIZATION",
  minServerVersion: 120000,
  rewrite(input) {
    if (input.serverVersion !== 0 && input.serverVersion < 120000) return [];
    const tree = structuredClone(input.tree);
    const top = topSelect(tree);
    const withClause = top?.withClause as Node | undefined;
    if (!top || !withClause || withClause.recursive === true) return [];
    const selects = allSelects(tree);
    const summaries: string[] = [];
    const assumptions: string[] = [];
    for (const cteNode of items(withClause, "ctes")) {
      const cte = at(cteNode, "CommonTableExpr") as Node;
      const name = cte.ctename as string;
      const query = at(cte, "ctequery", "SelectStmt");
      if (
        !query ||
        query.lockingClause ||
        callsVolatile(query, input.schema) ||
        definedAgain(tree, name, cte)
      )
        continue;
      const references = selects.flatMap((select) =>
        fromTables(items(select, "fromClause"))
          .filter((t) => t.relname === name && t.schemaname === undefined)
          .map((t) => ({ select, table: t })),
      );
      if (references.length === 0 || references.some((r) => selectsInside(query).includes(r.select)))
        continue;
      if (!references.every((r) => filtersReference(r.select, r.table))) continue;
      const mode = cte.ctematerialized ?? "CTEMaterializeDefault";
      if (references.length > 1 && mode === "CTEMaterializeDefault") {
        cte.ctematerialized = "CTEMaterializeNever";
        summaries.push(
          `WITH ${name} AS (…), referenced ${references.length} times → WITH ${name} AS NOT MATERIALIZED (…)`,
        );
      } else if (references.length === 1 && mode === "CTEMaterializeAlways") {
        delete cte.ctematerialized;
        summaries.push(`WITH ${name} AS MATERIALIZED (…), referenced once → WITH ${name} AS (…)`);
      } else continue;
      assumptions.push(
        `${name} is a SELECT calling no volatile function: computing it once or per reference gives the same rows`,
      );
    }
    if (summaries.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: summaries.join("; "),
        why: "A materialized CTE is computed in full before any filter applies; inlined, each reference's filter is pushed into the CTE's query, where an index can serve it.",
        assumptions: [
          ...assumptions,
          "every reference filters the CTE's columns (a constant, a list or a parameter)",
        ],
      },
    ];
  },
};

/** The SELECTs inside a CTE's own query (a reference there would make it recursive). */
function selectsInside(query: Node): Node[] {
  return allSelects(query);
}

/** Whether another WITH in the statement defines the same name (references could then mean either). */
function definedAgain(tree: unknown, name: string, own: Node): boolean {
  let again = false;
  walk(tree, (node) => {
    const cte = at(node, "CommonTableExpr");
    if (cte && cte !== own && cte.ctename === name) again = true;
    return !again;
  });
  return again;
}

/** Whether a SELECT's WHERE compares a column of the reference with a constant, a list or a parameter. */
function filtersReference(select: Node, table: FromTable): boolean {
  const from = items(select, "fromClause");
  const alone = fromRefs(from).length === 1;
  const ofReference = (node: unknown) => {
    const fields = columnRef(node);
    if (!fields || fields.at(-1) === "*") return false;
    return fields.length === 2 ? fields[0] === table.ref : fields.length === 1 && alone;
  };
  const value = (node: unknown) =>
    constant(node) !== null || at(node, "ParamRef") !== undefined || castValue(node);
  return andTerms(at(select, "whereClause")).some((term) => {
    const expr = at(term, "A_Expr");
    if (expr?.kind === "AEXPR_IN")
      return ofReference(at(expr, "lexpr")) && items(at(expr, "rexpr"), "List", "items").every(value);
    if (expr?.kind === "AEXPR_BETWEEN") return ofReference(at(expr, "lexpr"));
    const cmp = binaryOp(term);
    if (!cmp || !["=", "<", "<=", ">", ">="].includes(cmp.op)) return false;
    return (ofReference(cmp.left) && value(cmp.right)) || (ofReference(cmp.right) && value(cmp.left));
  });
}

/** `'2024-01-01'::date`, `$1::int`: a constant or parameter with a cast. */
function castValue(node: unknown): boolean {
  const arg = at(node, "TypeCast", "arg");
  return arg !== undefined && (constant(arg) !== null || at(arg, "ParamRef") !== undefined);
}
