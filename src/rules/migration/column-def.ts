/** Reading column definitions and default expressions out of the parse tree, for the column rules. */
type Node = Record<string, unknown>;

export { type ColumnType, columnType, typeText } from "../../facts/migration/column-type.js";

export function columnConstraints(def: Node | undefined): Node[] {
  return ((def?.constraints as Node[]) ?? []).map((c) => c.Constraint as Node);
}

const VOLATILE = new Set([
  "random",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "nextval",
  "txid_current",
  "pg_current_xact_id",
  "setseed",
]);
/** Functions PostgreSQL marks STABLE or IMMUTABLE that defaults commonly use: evaluated once, no rewrite. */
const NOT_VOLATILE = new Set([
  "now",
  "statement_timestamp",
  "transaction_timestamp",
  "current_setting",
  "lower",
  "upper",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "array",
  "to_jsonb",
  "timezone",
  "date_trunc",
  "make_interval",
  "concat",
  "coalesce",
]);

/**
 * How a DEFAULT is evaluated when a column is added: a constant or a STABLE expression is computed once and stored
 * in the catalog (no rewrite, PostgreSQL 11+); a VOLATILE one is computed per row, rewriting the table.
 */
export function defaultVolatility(expr: unknown): { kind: "safe" | "volatile" | "unknown"; fn?: string } {
  let result: { kind: "safe" | "volatile" | "unknown"; fn?: string } = { kind: "safe" };
  const visit = (n: unknown) => {
    if (!n || typeof n !== "object" || result.kind === "volatile") return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const call = (n as Node).FuncCall as Node | undefined;
    if (call) {
      const name = ((call.funcname as Node[]) ?? []).map((f) => String((f.String as Node).sval)).at(-1) ?? "";
      if (VOLATILE.has(name)) result = { kind: "volatile", fn: name };
      else if (!NOT_VOLATILE.has(name) && result.kind === "safe") result = { kind: "unknown", fn: name };
    }
    for (const v of Object.values(n as Node)) visit(v);
  };
  visit(expr);
  return result;
}
