/**
 * A date function on an indexed timestamp column hides it from its index: `date(at) = d`, `at::date = d`,
 * `date_trunc('day', at) = t`, `extract(year from at) = y`. Each is a range of the column itself:
 * - `date(c) = d` → `c >= d::date AND c < d::date + 1` (and `>=`, `<`, `>`, `<=` as one bound each);
 * - `date_trunc('f', c) = t` → `c >= t AND c < t + interval '1 f' AND date_trunc('f', t) = t` (the last term keeps
 *   the original's answer for a t that is not itself truncated: no row);
 * - `extract(year from c) = y` → `c >= make_date(y, 1, 1) AND c < make_date(y + 1, 1, 1)`;
 * - `to_char(c, 'YYYY-MM-DD') = '2024-02-01'` (or 'YYYY-MM' = '2024-02') → that day's (month's) range, only for a
 *   literal that is exactly the text to_char prints for a real day (zero-padded, four-digit year), and assuming no
 *   BC dates (to_char prints a year without its era, so the text matched 2024 BC too).
 * For timestamptz both sides turn dates into instants in the session's TimeZone, as the function did, so the
 * ranges hold in every zone. Only for a column an index starts with, and a value that reads no column.
 */
import { expression, leadingIndex } from "./rewrite-query-shape.js";
import type { Rewrite, RewriteRule, RewriteSchema } from "./rewrite-rule.js";
import {
  at,
  binaryOp,
  callsVolatile,
  columnRef,
  columnRefsUnder,
  constant,
  deparseStatement,
  hasSubLink,
  items,
  type Node,
  type ResolvedColumn,
  replaceOwnComparisons,
  resolveColumn,
  tableLabel,
} from "./rewrite-tree-shape.js";

const FLIP: Record<string, string> = { "=": "=", "<": ">", ">": "<", "<=": ">=", ">=": "<=" };
const TIMESTAMPS: Record<string, string> = {
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
};
/** date_trunc fields and the interval one unit of each is (dbopt's own text). */
const TRUNC_STEP: Record<string, string> = {
  year: "1 year",
  quarter: "3 months",
  month: "1 month",
  week: "1 week",
  day: "1 day",
  hour: "1 hour",
  minute: "1 minute",
  second: "1 second",
};
const DATE_RANGE: Record<string, string> = {
  "=": "c >= CAST(v AS date) AND c < CAST(v AS date) + 1",
  ">=": "c >= CAST(v AS date)",
  "<": "c < CAST(v AS date)",
  ">": "c >= CAST(v AS date) + 1",
  "<=": "c < CAST(v AS date) + 1",
};
const YEAR_RANGE: Record<string, string> = {
  "=": "c >= make_date(CAST(v AS integer), 1, 1) AND c < make_date(CAST(v AS integer) + 1, 1, 1)",
  ">=": "c >= make_date(CAST(v AS integer), 1, 1)",
  "<": "c < make_date(CAST(v AS integer), 1, 1)",
  ">": "c >= make_date(CAST(v AS integer) + 1, 1, 1)",
  "<=": "c < make_date(CAST(v AS integer) + 1, 1, 1)",
};

export const sargableDateFunction: RewriteRule = {
  id: "rewrite/sargable-date-function",
  title: "Date functions on an indexed column as ranges",
  description:
    "date(col), col::date, date_trunc(f, col), extract(year from col) and to_char(col, 'YYYY-MM-DD') compared with a value hide col from its index; the same condition as a range on col uses it.",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-expressional.html",
  rewrite(input): Rewrite[] {
    const tree = structuredClone(input.tree);
    const assumptions: string[] = [];
    const summaries = new Set<string>();
    replaceOwnComparisons(tree, (node, from) => {
      const found = dateComparison(node, from, input.schema);
      if (!found) return undefined;
      summaries.add(found.summary);
      assumptions.push(found.assumption);
      return found.range;
    });
    if (assumptions.length === 0) return [];
    const sql = deparseStatement(tree);
    if (!sql) return [];
    return [
      {
        ruleId: this.id,
        sql,
        summary: `${[...summaries].join(", ")} → a range on the column`,
        why: "A function of the column cannot use the column's index (only an index on that very expression could); a range on the column itself can, and reads only the matching rows.",
        assumptions: [...new Set(assumptions)],
      },
    ];
  },
};

function dateComparison(
  node: Node,
  from: Node[],
  schema: RewriteSchema,
): { range: Node; summary: string; assumption: string } | undefined {
  const op = binaryOp(node);
  if (!op) return undefined;
  for (const [fn, value, operator] of [
    [op.left, op.right, op.op],
    [op.right, op.left, FLIP[op.op]],
  ] as Array<[Node, Node, string | undefined]>) {
    if (!operator || !(operator in DATE_RANGE)) continue;
    if (columnRefsUnder(value).length > 0 || hasSubLink(value) || callsVolatile(value, schema)) continue;
    const shape = functionOf(fn, from, schema);
    if (!shape || !leadingIndex(shape.column.table, shape.column.column.name)) continue;
    const c = columnNode(shape.column);
    const type = shape.column.column.type;
    const label = `${tableLabel(shape.column.table)}.${shape.column.column.name}`;
    const assumption = `${label} is ${type} with the index ${leadingIndex(shape.column.table, shape.column.column.name)}`;
    if (shape.kind === "date") {
      // The range casts the value to date: only right when it is one already. date(c) >= TIMESTAMP '… 12:00'
      // compares dates with a timestamp, and the cast would move the bound to midnight.
      if (!TIMESTAMPS[type] || !dateValued(value)) continue;
      return {
        range: expression(DATE_RANGE[operator] as string, { c, v: value }),
        summary: "date(column)",
        assumption,
      };
    }
    if (shape.kind === "year") {
      const year = constant(value);
      if (!(year?.kind === "int" && year.value > 0n) && !at(value, "ParamRef")) continue;
      if (!TIMESTAMPS[type] && type !== "date") continue;
      return {
        range: expression(YEAR_RANGE[operator] as string, { c, v: value }),
        summary: "extract(year from column)",
        assumption: year ? assumption : `${assumption}; the parameter is a whole year`,
      };
    }
    if (shape.kind === "text") {
      const day =
        operator === "=" && (TIMESTAMPS[type] || type === "date") ? printedDay(value, shape.format) : null;
      if (!day) continue;
      const v = { A_Const: { sval: { sval: day } } };
      // The step comes from dbopt's own text, never from the statement's.
      const range =
        shape.format === "YYYY-MM-DD"
          ? expression(DATE_RANGE["="] as string, { c, v })
          : expression("c >= CAST(v AS date) AND c < CAST(v AS date) + CAST('1 month' AS interval)", {
              c,
              v,
            });
      return {
        range,
        summary: `to_char(column, '${shape.format}')`,
        assumption: `${assumption}; ${label} holds no dates before year 1 (to_char prints a BC year without its era)`,
      };
    }
    if (shape.kind !== "trunc") continue;
    const cast = TIMESTAMPS[type];
    const step = TRUNC_STEP[shape.field];
    if (operator !== "=" || !cast || !step) continue;
    // cast and step come from dbopt's own tables above, never from the statement's text.
    const range = expression(
      `c >= CAST(v AS ${cast}) AND c < CAST(v AS ${cast}) + CAST('${step}' AS interval) AND date_trunc('${shape.field}', CAST(v AS ${cast})) = CAST(v AS ${cast})`,
      { c, v: value },
    );
    return { range, summary: `date_trunc('${shape.field}', column)`, assumption };
  }
  return undefined;
}

type DateFunction =
  | { kind: "date" | "year"; column: ResolvedColumn }
  | { kind: "text"; format: "YYYY-MM-DD" | "YYYY-MM"; column: ResolvedColumn }
  | { kind: "trunc"; field: string; column: ResolvedColumn };

/** date(c), c::date, date_trunc('f', c), extract(year from c) or date_part('year', c) of a known column. */
function functionOf(node: Node, from: Node[], schema: RewriteSchema): DateFunction | undefined {
  const resolve = (n: unknown) => {
    const fields = columnRef(n);
    return fields ? resolveColumn(schema, from, fields) : undefined;
  };
  const cast = at(node, "TypeCast");
  if (cast) {
    const names = items(cast, "typeName", "names").map((n) => at(n, "String")?.sval);
    const column =
      names.at(-1) === "date" && !at(cast, "typeName", "typmods") ? resolve(cast.arg) : undefined;
    return column ? { kind: "date", column } : undefined;
  }
  const call = at(node, "FuncCall");
  if (!call || call.agg_star || call.over || call.agg_distinct) return undefined;
  const names = items(call, "funcname").map((n) => at(n, "String")?.sval);
  if (names.length > 1 && names[0] !== "pg_catalog") return undefined;
  const name = names.at(-1);
  const args = items(call, "args");
  if (name === "date" && args.length === 1) {
    const column = resolve(args[0]);
    return column ? { kind: "date", column } : undefined;
  }
  if (name === "to_char" && args.length === 2) {
    // The column first, then the format: exactly these two patterns, as written (no FM, no other fields).
    const format = constant(args[1]);
    const textColumn = resolve(args[0]);
    return textColumn && format?.kind === "str" && (format.text === "YYYY-MM-DD" || format.text === "YYYY-MM")
      ? { kind: "text", format: format.text, column: textColumn }
      : undefined;
  }
  const field = constant(args[0]);
  if (args.length !== 2 || field?.kind !== "str") return undefined;
  const column = resolve(args[1]);
  if (!column) return undefined;
  const unit = field.text.toLowerCase();
  if ((name === "extract" || name === "date_part") && unit === "year") return { kind: "year", column };
  if (name === "date_trunc" && unit in TRUNC_STEP) return { kind: "trunc", field: unit, column };
  return undefined;
}

function columnNode(column: ResolvedColumn): Node {
  return {
    ColumnRef: { fields: [{ String: { sval: column.ref } }, { String: { sval: column.column.name } }] },
  };
}

/** A value that is a date already: an untyped literal, a $n (typed by the comparison), or a cast to date. */
function dateValued(value: Node): boolean {
  if (at(value, "ParamRef")) return true;
  if (at(value, "SQLValueFunction")?.op === "SVFOP_CURRENT_DATE") return true;
  const literal = at(value, "A_Const");
  if (literal) return "sval" in literal;
  const cast = at(value, "TypeCast");
  if (!cast) return false;
  const names = ((at(cast, "typeName")?.names as Node[] | undefined) ?? []).map((n) =>
    String((at(n, "String") as Node | undefined)?.sval ?? ""),
  );
  return names.at(-1) === "date" && dateValued(at(cast, "arg") as Node);
}

/**
 * The first day (YYYY-MM-DD) of the text to_char prints, when `value` is a string literal that to_char can print
 * with this format for a real day of years 1-9999; else null (the original matches no row: left alone).
 */
function printedDay(value: Node, format: "YYYY-MM-DD" | "YYYY-MM"): string | null {
  const text = constant(value);
  if (text?.kind !== "str") return null;
  const match =
    format === "YYYY-MM-DD"
      ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.text)
      : /^(\d{4})-(\d{2})$/.exec(text.text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3] ?? "1")];
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  // Day 0 of the next month is this month's last day (Date.UTC maps years 0-99 to 1900s: set the year apart).
  const last = new Date(Date.UTC(2000, month, 0));
  last.setUTCFullYear(year, month, 0);
  if (day > last.getUTCDate()) return null;
  return `${match[1]}-${match[2]}-${String(day).padStart(2, "0")}`;
}
