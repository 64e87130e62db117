/**
 * Arithmetic on an indexed number column hides it from its index: `col + k op v` (or `k + col`, `col - k`) → `col
 * op v - k` (`v + k`), the constant computed here, exactly (BigInt). Addition is monotone, so every comparison
 * keeps its operator. Only integer constants on integer or numeric columns (floating point would round), only when
 * the new constant fits the column's type, and only for a column an index starts with. The original fails with
 * "integer out of range" when some row's col + k overflows; the rewrite does not compute col + k at all.
 */
import { leadingIndex } from "./rewrite-query-shape.js";
import type { Rewrite, RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  binaryOp,
  columnRef,
  constant,
  deparseStatement,
  intConstant,
  integerRange,
  isIntegerType,
  makeBinaryOp,
  type Node,
  replaceOwnComparisons,
  resolveColumn,
  tableLabel,
} from "./rewrite-tree-shape.js";

const FLIP: Record<string, string> = { "=": "=", "<": ">", ">": "<", "<=": ">=", ">=": "<=" };

export const sargableArithmetic: RewriteRule = {
  id: "rewrite/sargable-arithmetic",
  title: "Arithmetic on an indexed column moved to the constant",
  description:
    "col + k = v cannot use the index on col; col = v - k can, and means the same for integers and numeric.",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-types.html#INDEXES-TYPES-BTREE",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    replaceOwnComparisons(tree, (node, from) => {
      const moved = movedArithmetic(node, from, input.schema);
      if (moved) assumptions.push(moved.assumption);
      return moved?.node;
    });
    if (assumptions.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: "col + k op v → col op v - k",
        why: "An index on col cannot serve a condition on col + k; the same condition written on col alone can (the constant is computed once, here).",
        assumptions: [...new Set(assumptions)],
      },
    ];
  },
};

function movedArithmetic(
  node: Node,
  from: Node[],
  schema: RewriteSchema,
): { node: Node; assumption: string } | undefined {
  const op = binaryOp(node);
  if (!op) return undefined;
  for (const [side, other, operator] of [
    [op.left, op.right, op.op],
    [op.right, op.left, FLIP[op.op]],
  ] as Array<[Node, Node, string | undefined]>) {
    const value = constant(other);
    const arithmetic = binaryOp(side);
    if (!operator || !(operator in FLIP) || value?.kind !== "int" || !arithmetic) continue;
    if (arithmetic.op !== "+" && arithmetic.op !== "-") continue;
    const leftK = constant(arithmetic.left);
    const rightK = constant(arithmetic.right);
    // col + k, k + col, col - k (k - col would flip the comparison: left alone).
    const [columnSide, k] =
      rightK?.kind === "int"
        ? [arithmetic.left, rightK.value]
        : leftK?.kind === "int" && arithmetic.op === "+"
          ? [arithmetic.right, leftK.value]
          : [undefined, 0n];
    const fields = columnSide ? columnRef(columnSide) : null;
    const column = fields ? resolveColumn(schema, from, fields) : undefined;
    if (!column || !leadingIndex(column.table, column.column.name)) continue;
    const type = column.column.type;
    const integer = isIntegerType(type);
    if (!integer && !/^numeric(\(.*\))?$/.test(type)) continue;
    const moved = arithmetic.op === "+" ? value.value - k : value.value + k;
    if (integer) {
      const [low, high] = integerRange(type);
      if (moved < low || moved > high) continue;
    }
    const label = `${tableLabel(column.table)}.${column.column.name}`;
    return {
      node: makeBinaryOp(operator, structuredClone(columnSide) as Node, intConstant(moved)),
      assumption: `${label} is ${type} (exact arithmetic)${integer ? `; no row's ${column.column.name} ${arithmetic.op} ${k} overflows ${type}, where the original would fail` : ""}`,
    };
  }
  return undefined;
}
