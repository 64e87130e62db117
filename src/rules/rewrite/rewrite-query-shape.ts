/**
 * Beside rewrite-tree-shape.ts, what the rewrite rules of not-in, exists, keyset, OR and sargable rewrites need:
 * which FROM names sit on the nullable side of an outer join, whether an index starts with a column, the highest
 * $n, aggregates in a select list, and expressions written by dbopt with the user's subtrees put in.
 */
import { parseSql } from "../../util/sql-parser.js";
import type { RewriteSchema, RewriteTable } from "./rewrite-rule.js";
import { at, callTraits, columnRef, items, type Node, replaceWhere, walk } from "./rewrite-tree-shape.js";

/** The names a FROM list binds on the nullable side of an outer join (their columns may be NULL in the join). */
export function nullableRefs(from: Node[]): Set<string> {
  const out = new Set<string>();
  const stack: Array<{ node: Node; nullable: boolean }> = from.map((node) => ({ node, nullable: false }));
  while (stack.length > 0) {
    const { node, nullable } = stack.pop() as { node: Node; nullable: boolean };
    const join = at(node, "JoinExpr");
    if (join) {
      const type = join.jointype as string;
      stack.push({
        node: at(join, "larg") as Node,
        nullable: nullable || type === "JOIN_RIGHT" || type === "JOIN_FULL",
      });
      stack.push({
        node: at(join, "rarg") as Node,
        nullable: nullable || type === "JOIN_LEFT" || type === "JOIN_FULL",
      });
      continue;
    }
    const rv = at(node, "RangeVar");
    if (rv && nullable) out.add((at(rv, "alias")?.aliasname as string | undefined) ?? (rv.relname as string));
  }
  return out;
}

/** The name of a valid B-tree of the table whose first key is the column (a range on it can use it). */
export function leadingIndex(table: RewriteTable | undefined, column: string): string | undefined {
  return table?.indexes.find((i) => i.method === "btree" && i.predicate === null && i.columns[0] === column)
    ?.name;
}

/** The highest $n a tree uses (0 for none). */
export function highestParameter(root: unknown): number {
  let highest = 0;
  walk(root, (node) => {
    const ref = at(node, "ParamRef");
    if (ref) highest = Math.max(highest, Number(ref.number ?? 0));
    return true;
  });
  return highest;
}

/**
 * Whether a select list computes an aggregate or a window function (rows a rewrite must not split or join): OVER,
 * count(*), or a function pg_proc calls an aggregate (a user's own too; one the schema does not know counts).
 */
export function aggregatesOrWindows(targets: unknown, schema: RewriteSchema): boolean {
  let found = false;
  walk(targets, (node) => {
    const call = at(node, "FuncCall");
    if (call && (call.over || call.agg_star === true || callTraits(schema, call).aggregate)) found = true;
    return !found;
  });
  return found;
}

/**
 * An expression written by dbopt with the user's subtrees put in: `expression("c >= v", { c: col, v: value })`
 * parses `SELECT c >= v` and puts copies of the given nodes where the one-word column references c and v stand.
 * The template is dbopt's own text: no name from the user passes through it as text.
 */
export function expression(template: string, slots: Record<string, Node>): Node {
  const tree = parseSql(`SELECT ${template}`);
  const target = at(tree.stmts?.[0]?.stmt, "SelectStmt");
  const holder: Node = { root: at(items(target, "targetList")[0], "ResTarget", "val") as Node };
  replaceWhere(holder, (node) => {
    const fields = columnRef(node);
    const slot = fields?.length === 1 ? slots[fields[0] as string] : undefined;
    return slot ? structuredClone(slot) : undefined;
  });
  return holder.root as Node;
}
