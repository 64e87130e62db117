/**
 * UNION removes duplicate rows, which costs a sort or a hash of every row. When no branch can return a row twice
 * and no two branches can return the same row, UNION ALL returns the same rows. dbopt reads that from the SQL and
 * the schema only:
 * - within a branch: it reads one table and selects all columns of a unique key whose columns are NOT NULL
 *   (a unique key with a NULL column lets two rows be equal), and no set-returning function (which repeats a row);
 * - between two branches, one of: a constant column at the same position with different values (`'a' AS src` /
 *   `'b'`); a column at the same position that each branch's WHERE restricts to non-overlapping constants or
 *   ranges; or the same table with the same unique key at the same positions and non-overlapping restrictions on
 *   any one column (a row cannot satisfy both, and different rows have different keys).
 * Strings count as different only on text/varchar columns under a deterministic collation.
 */
import type { RewriteRule, RewriteSchema, RewriteTable } from "./rewrite-rule.js";
import {
  andTerms,
  at,
  binaryOp,
  type Constant,
  callsSetReturning,
  columnRef,
  comparesByText,
  constant,
  deparseStatement,
  fromRefs,
  fromTables,
  isNumericType,
  items,
  type Node,
  resolveColumn,
  tableLabel,
  topSelect,
} from "./rewrite-tree-shape.js";

type Interval = { lo: number; loIn: boolean; hi: number; hiIn: boolean };
type Domain = { kind: "num"; intervals: Interval[] } | { kind: "str"; values: Set<string> };
type Output = { kind: "column"; name: string } | { kind: "constant"; value: Constant } | { kind: "other" };

interface Branch {
  table: RewriteTable;
  outputs: Output[];
  filters: Map<string, Domain>;
  key: string[];
}

export const unionToUnionAll: RewriteRule = {
  id: "rewrite/union-to-union-all",
  title: "UNION whose branches cannot share a row",
  description:
    "A UNION whose branches each return distinct rows (a NOT NULL unique key selected) and cannot return the same row (different constants, or non-overlapping filters) is UNION ALL, which skips the duplicate removal.",
  docsUrl: "https://www.postgresql.org/docs/current/queries-union.html",
  rewrite(input) {
    const tree = structuredClone(input.tree);
    const top = topSelect(tree);
    if (top?.op !== "SETOP_UNION" || top.all === true) return [];
    const chain = unionChain(top);
    if (!chain) return [];
    const branches = chain.leaves.map((leaf) => readBranch(leaf, input.schema));
    if (branches.some((b) => b === null)) return [];
    const known = branches as Branch[];
    const width = known[0]?.outputs.length;
    if (known.some((b) => b.outputs.length !== width)) return [];
    const reasons = new Set<string>();
    for (let i = 0; i < known.length; i++)
      for (let j = i + 1; j < known.length; j++) {
        const reason = disjoint(known[i] as Branch, known[j] as Branch);
        if (!reason) return [];
        reasons.add(reason);
      }
    for (const node of chain.unions) node.all = true;
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: `UNION → UNION ALL (${known.length} branches)`,
        why: "UNION sorts or hashes every row to remove duplicates; these branches cannot produce any, so UNION ALL returns the same rows without that step.",
        assumptions: [
          ...new Set(
            known.map(
              (b) => `${tableLabel(b.table)} rows are unique by (${b.key.join(", ")}), NOT NULL, selected`,
            ),
          ),
          ...reasons,
        ],
      },
    ];
  },
};

/** The UNION (not ALL) nodes of a chain and its plain SELECT leaves; null when another set operation is mixed in. */
function unionChain(top: Node): { unions: Node[]; leaves: Node[] } | null {
  const unions: Node[] = [];
  const leaves: Node[] = [];
  const stack: Node[] = [top];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.op === "SETOP_NONE") {
      leaves.push(node);
      continue;
    }
    if (node.op !== "SETOP_UNION" || node.all === true) return null;
    // ORDER BY / LIMIT inside the chain (not on top) would apply to a UNION's deduplicated rows.
    if (node !== top && (node.sortClause || node.limitCount || node.limitOffset)) return null;
    unions.push(node);
    const right = at(node, "rarg");
    const left = at(node, "larg");
    if (!left || !right) return null;
    stack.push(right, left);
  }
  return { unions, leaves };
}

function readBranch(select: Node, schema: RewriteSchema): Branch | null {
  const from = items(select, "fromClause");
  const tables = fromTables(from);
  if (from.length !== 1 || tables.length !== 1 || fromRefs(from).length !== 1) return null;
  if (select.groupClause || select.havingClause || select.distinctClause || select.withClause) return null;
  // unnest(tags) beside the key repeats a row of t as often as its array repeats an element; in a branch's
  // ORDER BY a set-returning function repeats rows too.
  if (callsSetReturning([items(select, "targetList"), items(select, "sortClause")], schema)) return null;
  const table = schema.table(tables[0]?.relname as string, tables[0]?.schemaname);
  if (!table) return null;
  const outputs: Output[] = [];
  for (const target of items(select, "targetList")) {
    const val = at(target, "ResTarget", "val");
    const fields = columnRef(val);
    if (fields?.at(-1) === "*") {
      if (fields.length === 2 && fields[0] !== tables[0]?.ref) return null;
      outputs.push(...table.columns.map((c) => ({ kind: "column" as const, name: c.name })));
      continue;
    }
    const resolved = fields ? resolveColumn(schema, from, fields) : undefined;
    const value = constant(val);
    if (resolved) outputs.push({ kind: "column", name: resolved.column.name });
    else if (value && value.kind !== "null") outputs.push({ kind: "constant", value });
    else outputs.push({ kind: "other" });
  }
  const selected = new Set(outputs.flatMap((o) => (o.kind === "column" ? [o.name] : [])));
  const key = table.uniqueKeys.find(
    (k) => k.length > 0 && k.every((c) => selected.has(c) && schema.notNull(table, c) === true),
  );
  if (!key) return null;
  return { table, outputs, filters: readFilters(select, from, schema), key };
}

/** Each column's allowed values according to WHERE's ANDed terms (terms it cannot read are left out: a superset). */
function readFilters(select: Node, from: Node[], schema: RewriteSchema): Map<string, Domain> {
  const filters = new Map<string, Domain>();
  for (const term of andTerms(at(select, "whereClause"))) {
    const read = termDomain(term, from, schema);
    if (!read) continue;
    const before = filters.get(read.column);
    filters.set(read.column, before ? intersect(before, read.domain) : read.domain);
  }
  return filters;
}

const FLIP: Record<string, string> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

function termDomain(
  term: Node,
  from: Node[],
  schema: RewriteSchema,
): { column: string; domain: Domain } | null {
  const expr = at(term, "A_Expr");
  const column = (node: unknown) => {
    const fields = columnRef(node);
    return fields ? resolveColumn(schema, from, fields)?.column : undefined;
  };
  if (expr?.kind === "AEXPR_IN" && items(expr, "name").length === 1) {
    const op = at(items(expr, "name")[0], "String")?.sval;
    const col = column(at(expr, "lexpr"));
    const values = items(at(expr, "rexpr"), "List", "items").map(constant);
    if (op !== "=" || !col || values.length === 0) return null;
    const domains = values.map((v) => (v ? pointDomain(v, col) : null));
    if (domains.some((d) => d === null)) return null;
    return { column: col.name, domain: (domains as Domain[]).reduce(union) };
  }
  if (expr?.kind === "AEXPR_BETWEEN") {
    const col = column(at(expr, "lexpr"));
    const [lo, hi] = items(at(expr, "rexpr"), "List", "items").map((n) => numberOf(constant(n)));
    if (!col || !isNumericType(col.type) || lo === undefined || hi === undefined) return null;
    return { column: col.name, domain: { kind: "num", intervals: [{ lo, loIn: true, hi, hiIn: true }] } };
  }
  const cmp = binaryOp(term);
  if (!cmp || !(cmp.op in FLIP)) return null;
  let col = column(cmp.left);
  let value = constant(cmp.right);
  let op = cmp.op;
  if (!col) {
    col = column(cmp.right);
    value = constant(cmp.left);
    op = FLIP[cmp.op] as string;
  }
  if (!col || !value) return null;
  if (op === "=") {
    const domain = pointDomain(value, col);
    return domain ? { column: col.name, domain } : null;
  }
  const n = numberOf(value);
  if (n === undefined || !isNumericType(col.type)) return null;
  const interval: Interval =
    op === "<" || op === "<="
      ? { lo: Number.NEGATIVE_INFINITY, loIn: false, hi: n, hiIn: op === "<=" }
      : { lo: n, loIn: op === ">=", hi: Number.POSITIVE_INFINITY, hiIn: false };
  return { column: col.name, domain: { kind: "num", intervals: [interval] } };
}

function pointDomain(value: Constant, column: RewriteTable["columns"][number]): Domain | null {
  const n = numberOf(value);
  if (n !== undefined && isNumericType(column.type))
    return { kind: "num", intervals: [{ lo: n, loIn: true, hi: n, hiIn: true }] };
  if (value.kind === "str" && comparesByText(column)) return { kind: "str", values: new Set([value.text]) };
  return null;
}

function numberOf(value: Constant | null): number | undefined {
  if (value?.kind === "int") return Math.abs(Number(value.value)) < 2 ** 53 ? Number(value.value) : undefined;
  // Decimals with more digits than a double keeps could round two different constants together.
  if (
    value?.kind === "num" &&
    value.text.replace(/[-.]/g, "").length <= 15 &&
    /^-?\d+(\.\d+)?$/.test(value.text)
  )
    return Number(value.text);
  return undefined;
}

function union(a: Domain, b: Domain): Domain {
  if (a.kind === "num" && b.kind === "num")
    return { kind: "num", intervals: [...a.intervals, ...b.intervals] };
  if (a.kind === "str" && b.kind === "str")
    return { kind: "str", values: new Set([...a.values, ...b.values]) };
  return mixed();
}

/** Two kinds of constant for one column: treat as unknown (everything), so nothing is claimed disjoint. */
function mixed(): Domain {
  return {
    kind: "num",
    intervals: [{ lo: Number.NEGATIVE_INFINITY, loIn: false, hi: Number.POSITIVE_INFINITY, hiIn: false }],
  };
}

function intersect(a: Domain, b: Domain): Domain {
  if (a.kind === "str" && b.kind === "str")
    return { kind: "str", values: new Set([...a.values].filter((v) => b.values.has(v))) };
  if (a.kind === "num" && b.kind === "num") {
    const out: Interval[] = [];
    for (const x of a.intervals) for (const y of b.intervals) out.push(meet(x, y));
    return { kind: "num", intervals: out.filter((i) => !emptyInterval(i)) };
  }
  return a;
}

function meet(x: Interval, y: Interval): Interval {
  const lo = x.lo > y.lo ? x : y.lo > x.lo ? y : { lo: x.lo, loIn: x.loIn && y.loIn };
  const hi = x.hi < y.hi ? x : y.hi < x.hi ? y : { hi: x.hi, hiIn: x.hiIn && y.hiIn };
  return { lo: lo.lo, loIn: lo.loIn, hi: hi.hi, hiIn: hi.hiIn };
}

function emptyInterval(i: Interval): boolean {
  return i.lo > i.hi || (i.lo === i.hi && !(i.loIn && i.hiIn));
}

function domainsDisjoint(a: Domain | undefined, b: Domain | undefined): boolean {
  if (!a || !b || a.kind !== b.kind) return false;
  const both = intersect(a, b);
  return both.kind === "str" ? both.values.size === 0 : both.intervals.length === 0;
}

/** Why two branches cannot return the same row, or null when dbopt cannot show it. */
function disjoint(a: Branch, b: Branch): string | null {
  for (let p = 0; p < a.outputs.length; p++) {
    const x = a.outputs[p] as Output;
    const y = b.outputs[p] as Output;
    if (x.kind === "constant" && y.kind === "constant" && differentConstants(x.value, y.value))
      return `output column ${p + 1} is a different constant in each branch`;
    if (
      x.kind === "column" &&
      y.kind === "column" &&
      domainsDisjoint(a.filters.get(x.name), b.filters.get(y.name))
    )
      return `output column ${p + 1} (${x.name} / ${y.name}) is restricted to non-overlapping values`;
  }
  const sameTable = a.table.schema === b.table.schema && a.table.name === b.table.name;
  const keyAtSamePlaces = a.key.every((k) =>
    a.outputs.some((o, p) => o.kind === "column" && o.name === k && sameColumn(b.outputs[p], k)),
  );
  if (sameTable && keyAtSamePlaces)
    for (const [column, domain] of a.filters)
      if (domainsDisjoint(domain, b.filters.get(column)))
        return `${tableLabel(a.table)}.${column} is restricted to non-overlapping values, and each branch selects the key (${a.key.join(", ")}) at the same place`;
  return null;
}

function sameColumn(output: Output | undefined, name: string): boolean {
  return output?.kind === "column" && output.name === name;
}

function differentConstants(x: Constant, y: Constant): boolean {
  // Only like with like: '1' and 1 may be cast to one type and compare equal.
  if (x.kind === "str" && y.kind === "str") return x.text !== y.text;
  const a = numberOf(x);
  const b = numberOf(y);
  return a !== undefined && b !== undefined && a !== b;
}
