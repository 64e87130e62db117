/**
 * A filter applied outside a subquery (or a CTE referenced once) that computes window functions can move inside,
 * before the windows, when it reads only columns that are in the PARTITION BY of every window there: a partition
 * is kept or dropped whole, so each kept row's window values are unchanged. PostgreSQL pushes a plain
 * comparison down itself; it does not push a filter holding a subquery (`p IN (SELECT …)`, `p = (SELECT …)`) nor
 * one into a MATERIALIZED CTE, and then it computes the windows over every row first.
 * Declined when the subquery groups, removes duplicates, limits, returns sets from its select list, or calls a
 * volatile function, when a window has no PARTITION BY (or the column is not in it), and when the filter's own
 * subquery reads the outer row.
 */
import type { RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  andOf,
  andTerms,
  at,
  callsSetReturning,
  callsVolatile,
  callTraits,
  columnRef,
  deparseNode,
  deparseStatement,
  fromRefs,
  fromTables,
  isPlainSelect,
  items,
  type Node,
  replaceWhere,
  topSelect,
  walk,
} from "./rewrite-tree-shape.js";

export const windowFilterPushdown: RewriteRule = {
  id: "rewrite/window-filter-pushdown",
  title: "Filter on a partition column applied after window functions",
  description:
    "A filter outside a subquery with window functions that reads only columns every window partitions by moves inside it, so the windows are computed over the kept partitions only.",
  docsUrl: "https://www.postgresql.org/docs/current/tutorial-window.html",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const outer = topSelect(tree);
    if (!isPlainSelect(outer)) return [];
    const from = items(outer, "fromClause");
    if (from.length !== 1 || fromRefs(from).length !== 1) return [];
    const source = windowSource(outer, from[0] as Node, tree, input.schema);
    if (!source) return [];
    const { inner, alias } = source;
    const partitions = partitionLists(inner);
    if (!partitions) return [];
    const outputs = outputExpressions(inner);
    if (!outputs) return [];
    const moved: Node[] = [];
    const kept: Node[] = [];
    const columns = new Set<string>();
    for (const term of andTerms(at(outer, "whereClause"))) {
      const pushed = pushable(term, alias, outputs, partitions, input.schema);
      if (pushed) {
        moved.push(pushed.term);
        for (const c of pushed.columns) columns.add(c);
      } else kept.push(term);
    }
    if (moved.length === 0) return [];
    inner.whereClause = andOf([...andTerms(at(inner, "whereClause")), ...moved]);
    outer.whereClause = andOf(kept);
    const sql = deparseStatement(tree);
    if (!sql) return [];
    const list = [...columns].join(", ");
    return [
      {
        ruleId: this.id,
        sql,
        summary: `WHERE on ${list} moved inside ${source.kind === "cte" ? `the CTE ${alias}` : `the subquery ${alias}`}, before its window functions`,
        why: "The windows are computed over every row and the filter then drops most of them; filtered first, only the kept partitions are sorted and windowed, and an index on the column can serve the filter.",
        assumptions: [
          `${list} ${columns.size === 1 ? "is" : "are"} in the PARTITION BY of every window of ${alias}: a partition is kept or dropped whole`,
          "the subquery neither groups, removes duplicates, limits nor returns sets from its select list",
        ],
      },
    ];
  },
};

/** The SELECT computing the windows: a FROM subquery, or a CTE referenced once. */
function windowSource(
  outer: Node,
  item: Node,
  tree: unknown,
  schema: RewriteSchema,
): { inner: Node; alias: string; kind: "subquery" | "cte" } | null {
  const sub = at(item, "RangeSubselect");
  if (sub) {
    const inner = at(sub, "subquery", "SelectStmt");
    const alias = at(sub, "alias");
    if (sub.lateral === true || !inner || !alias || items(alias, "colnames").length > 0) return null;
    return okInner(inner, schema) ? { inner, alias: alias.aliasname as string, kind: "subquery" } : null;
  }
  const table = fromTables([item])[0];
  const withClause = at(outer, "withClause");
  if (!table || table.schemaname || !withClause || withClause.recursive === true) return null;
  const cte = items(withClause, "ctes")
    .map((c) => at(c, "CommonTableExpr") as Node)
    .find((c) => c.ctename === table.relname);
  const inner = at(cte, "ctequery", "SelectStmt");
  if (!cte || !inner || items(cte, "aliascolnames").length > 0) return null;
  let references = 0;
  walk(tree, (node) => {
    if (at(node, "RangeVar")?.relname === table.relname) references++;
    return true;
  });
  return references === 1 && okInner(inner, schema) ? { inner, alias: table.ref, kind: "cte" } : null;
}

function okInner(inner: Node, schema: RewriteSchema): boolean {
  if (!isPlainSelect(inner)) return false;
  for (const clause of [
    "groupClause",
    "havingClause",
    "distinctClause",
    "limitCount",
    "limitOffset",
    "withClause",
  ])
    if (inner[clause] !== undefined) return false;
  const targets = items(inner, "targetList");
  // A set-returning function in the select list multiplies rows after the windows (pg_proc says which do).
  return (
    !callsVolatile(targets, schema) &&
    !callsSetReturning(targets, schema) &&
    !plainAggregates(targets, schema)
  );
}

/** Each window's PARTITION BY, deparsed; null when there is no window or one partitions by nothing. */
function partitionLists(inner: Node): Set<string>[] | null {
  const named = new Map<string, Node>();
  for (const def of items(inner, "windowClause")) {
    const window = at(def, "WindowDef");
    if (typeof window?.name === "string") named.set(window.name, window);
  }
  const lists: Set<string>[] = [];
  let broken = false;
  walk(items(inner, "targetList"), (node) => {
    if ("SubLink" in node) return false;
    const over = at(node, "FuncCall", "over");
    if (!over) return true;
    let window: Node | undefined = over;
    // OVER w, or OVER (w ORDER BY …): the partition comes from the named window.
    const ref = (over.refname ?? (items(over, "partitionClause").length === 0 ? over.name : undefined)) as
      | string
      | undefined;
    if (ref) window = named.get(ref);
    const partition = items(window, "partitionClause");
    if (!window || partition.length === 0) broken = true;
    else lists.push(new Set(partition.map(plainExpression)));
    return true;
  });
  return broken || lists.length === 0 ? null : lists;
}

/** An expression's text with a lone table qualifier dropped, so `w.p` and `p` compare equal in a one-table FROM. */
function plainExpression(node: Node): string {
  const fields = columnRef(node);
  return fields ? (fields.at(-1) as string) : deparseNode(node);
}

/** Each output column name of the subquery and the expression computing it; null for `*` or several tables. */
function outputExpressions(inner: Node): Map<string, Node> | null {
  if (fromRefs(items(inner, "fromClause")).length !== 1) return null;
  const out = new Map<string, Node>();
  for (const target of items(inner, "targetList")) {
    const res = at(target, "ResTarget");
    const val = at(res, "val");
    const fields = columnRef(val);
    if (!val || fields?.at(-1) === "*") return null;
    const name = (res?.name as string | undefined) ?? fields?.at(-1);
    if (name) out.set(name, val);
  }
  return out;
}

/** The term with the subquery's columns replaced by their expressions, when it may move inside. */
function pushable(
  term: Node,
  alias: string,
  outputs: Map<string, Node>,
  partitions: Set<string>[],
  schema: RewriteSchema,
): { term: Node; columns: string[] } | null {
  if (callsVolatile(term, schema)) return null;
  const columns: string[] = [];
  let ok = true;
  const copy = { term: structuredClone(term) };
  replaceWhere(copy, (node) => {
    // A subquery in the filter (`p IN (SELECT …)`): its test expression is read like the rest, its SELECT must
    // stand alone.
    if ("SelectStmt" in node) {
      if (!selfContained(at(node, "SelectStmt"), alias, schema)) ok = false;
      return node;
    }
    const fields = columnRef(node);
    if (!fields) return undefined;
    const name =
      fields.length === 1 || (fields.length === 2 && fields[0] === alias) ? fields.at(-1) : undefined;
    const expression = name ? outputs.get(name) : undefined;
    if (!name || !expression || !partitions.every((p) => p.has(plainExpression(expression)))) {
      ok = false;
      return node;
    }
    if (hasWindowOrAggregate(expression)) ok = false;
    columns.push(name);
    return structuredClone(expression);
  });
  return ok && columns.length > 0 ? { term: copy.term, columns } : null;
}

/** A filter's subquery must read only its own tables (all known), not the row around it. */
function selfContained(select: Node | undefined, alias: string, schema: RewriteSchema): boolean {
  if (!select || callsVolatile(select, schema)) return false;
  const refs = new Set<string>();
  const columns = new Set<string>();
  let unknown = false;
  walk(select, (node) => {
    const rv = at(node, "RangeVar");
    if (rv) {
      refs.add((at(rv, "alias")?.aliasname as string | undefined) ?? (rv.relname as string));
      const table = schema.table(rv.relname as string, rv.schemaname as string | undefined);
      if (table) for (const c of table.columns) columns.add(c.name);
      else unknown = true;
    }
    return true;
  });
  let ok = !refs.has(alias);
  walk(select, (node) => {
    const fields = columnRef(node);
    if (fields && fields.at(-1) !== "*") {
      if (fields.length >= 2 && !refs.has(fields[fields.length - 2] as string)) ok = false;
      if (fields.length === 1 && (unknown || !columns.has(fields[0] as string))) ok = false;
    }
    return ok;
  });
  return ok;
}

function hasWindowOrAggregate(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    const call = at(n, "FuncCall");
    if (call && (call.over || call.agg_star === true)) found = true;
    return !found;
  });
  return found;
}

/** An aggregate outside a window (the whole subquery is one group): a filter moved inside would change it. */
function plainAggregates(targets: Node[], schema: RewriteSchema): boolean {
  let found = false;
  walk(targets, (node) => {
    if ("SubLink" in node) return false;
    const call = at(node, "FuncCall");
    if (call && !call.over && (call.agg_star === true || callTraits(schema, call).aggregate)) found = true;
    return !found;
  });
  return found;
}
