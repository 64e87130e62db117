/** The key a single-row lookup filters on, read from its parse tree (libpg-query): shared by the N+1 rule's batched
 * rewrite (batched-statement-shape.ts) and the repeated-lookup rule's. */
type Node = Record<string, unknown>;

/**
 * `col = $n` among the ANDed conditions of a WHERE clause: the comparison, the column's name parts, the
 * parameter's number and its byte offset in the statement.
 */
export function keyEquality(
  node: Node,
): { expr: Node; fields: string[]; number: number; location: number } | null {
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    if (bool.boolop !== "AND_EXPR") return null;
    for (const arg of (bool.args as Node[]) ?? []) {
      const found = keyEquality(arg);
      if (found) return found;
    }
    return null;
  }
  const expr = node.A_Expr as Node | undefined;
  if (expr?.kind !== "AEXPR_OP") return null;
  const op = ((expr.name as Node[])?.[0]?.String as Node | undefined)?.sval;
  const ref = (expr.lexpr as Node | undefined)?.ColumnRef as Node | undefined;
  const param = (expr.rexpr as Node | undefined)?.ParamRef as Node | undefined;
  if (op !== "=" || !ref || !param) return null;
  const fields = ((ref.fields as Node[]) ?? []).map((f) => (f.String as Node | undefined)?.sval);
  if (fields.length === 0 || fields.some((f) => typeof f !== "string")) return null;
  return { expr, fields: fields as string[], number: Number(param.number), location: Number(param.location) };
}
