/**
 * The same uncorrelated subquery written twice or more (equal once deparsed) is computed once per occurrence:
 * `WHERE total > (SELECT avg(total) FROM orders) … (SELECT avg(total) FROM orders)`. As one CTE referenced by
 * each occurrence, it is computed once: a CTE referenced more than once is materialized (written MATERIALIZED
 * from PostgreSQL 12, where the keyword exists, so a reader sees it is meant). Equivalent only when the subquery
 * depends on nothing outside itself (no outer column) and calls no volatile function (each occurrence could
 * otherwise see different values).
 */
import type { RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  at,
  callsVolatile,
  columnRefsUnder,
  deparseNode,
  deparseStatement,
  freshName,
  items,
  type Node,
  topSelect,
  walk,
} from "./rewrite-tree-shape.js";

interface Occurrence {
  /** The SubLink holding the subquery under `subselect`, or the FROM item node holding `RangeSubselect`. */
  holder: Node;
  kind: "sublink" | "from";
}

/** The subquery an occurrence holds (a `{ SelectStmt }` node). */
function queryOf(occurrence: Occurrence): Node {
  return (
    occurrence.kind === "sublink"
      ? at(occurrence.holder, "subselect")
      : at(occurrence.holder, "RangeSubselect", "subquery")
  ) as Node;
}

export const repeatedSubqueryToCte: RewriteRule = {
  id: "rewrite/repeated-subquery-to-cte",
  title: "The same subquery computed more than once",
  description:
    "An uncorrelated subquery written more than once in a statement is computed once per occurrence; as one materialized CTE it is computed once.",
  docsUrl: "https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-CTE-MATERIALIZATION",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const top = topSelect(tree);
    if (!top) return [];
    const groups = new Map<string, Occurrence[]>();
    walk(top, (node) => {
      if (node === top.withClause) return false;
      const link = at(node, "SubLink");
      if (link && at(link, "subselect", "SelectStmt")) add(groups, { holder: link, kind: "sublink" });
      const sub = at(node, "RangeSubselect");
      if (sub && sub.lateral !== true && at(sub, "subquery", "SelectStmt"))
        add(groups, { holder: node, kind: "from" });
      return true;
    });
    const chosen: string[] = [];
    const repeated = [...groups.entries()]
      .filter(([text, list]) => list.length > 1 && selfContained(list[0] as Occurrence, input.schema) && text)
      .sort((a, b) => b[0].length - a[0].length);
    const withClause = (top.withClause as Node | undefined) ?? { ctes: [] };
    const ctes = items(withClause, "ctes");
    const taken = new Set<string>();
    walk(tree, (node) => {
      for (const key of ["relname", "ctename", "aliasname"])
        if (typeof node[key] === "string") taken.add(node[key] as string);
      return true;
    });
    const summaries: string[] = [];
    for (const [text, list] of repeated) {
      // A subquery inside one already moved goes with it.
      if (chosen.some((c) => c.includes(text))) continue;
      chosen.push(text);
      const name = freshName(taken, "shared_subquery");
      taken.add(name);
      const query = structuredClone(queryOf(list[0] as Occurrence));
      ctes.push({
        CommonTableExpr: {
          ctename: name,
          ctequery: query,
          // Referenced more than once, a CTE is materialized anyway; before 12 the keyword does not exist.
          ...(input.serverVersion === 0 || input.serverVersion >= 120000
            ? { ctematerialized: "CTEMaterializeAlways" }
            : {}),
        },
      });
      for (const occurrence of list) replace(occurrence, name);
      summaries.push(`${list.length} copies of (${oneLine(text)}) → WITH ${name} AS (…)`);
    }
    if (summaries.length === 0) return [];
    top.withClause = { ...withClause, ctes };
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: summaries.join("; "),
        why: "Each copy of the subquery is planned and run on its own; one CTE referenced by every copy runs it once and reads its rows back.",
        assumptions: [
          "the subquery reads no column of the statement around it (uncorrelated)",
          "it calls no volatile function, so one evaluation gives every copy the same rows",
        ],
      },
    ];
  },
};

function add(groups: Map<string, Occurrence[]>, occurrence: Occurrence): void {
  let text: string;
  try {
    text = deparseNode(queryOf(occurrence));
  } catch {
    return;
  }
  groups.set(text, [...(groups.get(text) ?? []), occurrence]);
}

/** Whether every column the subquery reads belongs to a table inside it, and it calls nothing volatile. */
function selfContained(occurrence: Occurrence, schema: RewriteSchema): boolean {
  const query = queryOf(occurrence);
  if (callsVolatile(query, schema)) return false;
  const refs = new Set<string>();
  const columns = new Set<string>();
  let unknown = false;
  walk(query, (node) => {
    const rv = at(node, "RangeVar");
    if (rv) {
      const name = rv.relname as string;
      refs.add((at(rv, "alias")?.aliasname as string | undefined) ?? name);
      const table = schema.table(name, rv.schemaname as string | undefined);
      if (table) for (const c of table.columns) columns.add(c.name);
      else unknown = true;
    }
    const alias = at(node, "RangeSubselect", "alias") ?? at(node, "RangeFunction", "alias");
    if (alias) {
      refs.add(alias.aliasname as string);
      for (const c of items(alias, "colnames")) columns.add(String(at(c, "String")?.sval));
    }
    const cte = at(node, "CommonTableExpr");
    if (cte) refs.add(cte.ctename as string);
    // Output names of inner selects (ORDER BY may name them).
    const target = at(node, "ResTarget");
    if (typeof target?.name === "string") columns.add(target.name);
    return true;
  });
  return columnRefsUnder(query).every((fields) => {
    if (fields.length === 1 && fields[0] === "*") return true;
    if (fields.length >= 2) return refs.has(fields[fields.length - 2] as string);
    // An unqualified name: it must be a column of a table the subquery reads (all of them known).
    return !unknown && columns.has(fields[0] as string);
  });
}

function replace(occurrence: Occurrence, name: string): void {
  const reference = { RangeVar: { relname: name, inh: true, relpersistence: "p" } };
  if (occurrence.kind === "sublink") {
    occurrence.holder.subselect = {
      SelectStmt: {
        targetList: [{ ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }] } } } }],
        fromClause: [reference],
        limitOption: "LIMIT_OPTION_DEFAULT",
        op: "SETOP_NONE",
      },
    };
    return;
  }
  // FROM (subquery) AS x(cols) → FROM name AS x(cols).
  const alias = at(occurrence.holder, "RangeSubselect", "alias");
  delete occurrence.holder.RangeSubselect;
  occurrence.holder.RangeVar = { ...reference.RangeVar, ...(alias ? { alias } : {}) };
}

function oneLine(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
