/** What the MySQL/MariaDB plan rules share: their table nodes, the table's real name, index DDL. */
import { MYSQL_PROP } from "../../facts/plan/mysql-plan-node.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { list, mysqlIdent, type SqlText, sql } from "../../util/sql-text.js";
import type { PlanFacts } from "./plan-facts.js";

export const MYSQL_EXPLAIN_DOCS = "https://dev.mysql.com/doc/refman/8.0/en/explain-output.html";
export const MYSQL_DIALECTS = ["mysql", "mariadb"] as const;

/** Nodes that read a table (every access type), in plan order. */
export function tableNodes(facts: PlanFacts): PlanNode[] {
  return facts.analyzed.nodes.filter((n) => typeof n.props[MYSQL_PROP.accessType] === "string");
}

/**
 * What a finding weighs when the plan was not run: the node's (and its inputs') share of the plan's estimated
 * cost, as the PostgreSQL plan rules weigh theirs. MySQL 8 prints cost_info; MariaDB prints no cost, so its
 * findings weigh 0 and are ranked by severity (a row count is not a share: 50,283 rows printed as 5028300%).
 */
export function unrunCostShare(facts: PlanFacts, node: PlanNode): number {
  const total = facts.analyzed.totalCost;
  const cost = node.cost?.total;
  return total && cost !== undefined && cost !== null ? Math.min(1, cost / total) : 0;
}

/** Rows read per scan times scans: actual when ANALYZE ran, else the estimate for one scan. */
export function rowsExamined(node: PlanNode): number {
  if (node.actual) return node.actual.rows * node.actual.loops;
  return node.planRows ?? 0;
}

export function numberProp(node: PlanNode, key: string): number | null {
  const v = node.props[key];
  return typeof v === "number" ? v : null;
}

/**
 * The condition that filters a table's rows: its own, or the one on the node right above it (a TREE plan's
 * Filter, MariaDB's block-nl-join, which holds the join condition). The tabular EXPLAIN shows none.
 */
export function conditionOf(facts: PlanFacts, node: PlanNode): string | null {
  const own = node.props[MYSQL_PROP.condition];
  if (typeof own === "string") return own;
  const parent = facts.analyzed.parents[node.id];
  const above =
    parent?.nodeType === "Filter" || parent?.nodeType === "Block Nested Loop"
      ? parent.props[MYSQL_PROP.condition]
      : null;
  return typeof above === "string" ? above : null;
}

const NAME = String.raw`\x60(?:[^\x60]|\x60\x60)+\x60|[A-Za-z_$][\w$]*`;
const unquote = (n: string) => (n.startsWith("`") ? n.slice(1, -1).replace(/``/g, "`") : n);

/**
 * The table a plan names: MySQL and MariaDB print the alias when the statement gave one. With the statement
 * known, `FROM orders o` / `JOIN orders AS o` settles the real name; without it the printed name is taken,
 * and `caveat` says so.
 */
export function realTable(facts: PlanFacts, printed: string): { name: string; caveat: string } {
  const text = facts.sql ?? "";
  const re = new RegExp(`\\b(?:from|join)\\s+(?:(${NAME})\\.)?(${NAME})(?:\\s+as)?\\s+(${NAME})`, "gi");
  for (const m of text.matchAll(re)) {
    if (m[3] && unquote(m[3]) === printed && m[2]) return { name: unquote(m[2]), caveat: "" };
  }
  if (
    text &&
    new RegExp(`\\b(?:from|join)\\s+\x60?${printed.replace(/[^\w$]/g, "")}\x60?\\b`, "i").test(text)
  ) {
    return { name: printed, caveat: "" };
  }
  return {
    name: printed,
    caveat: ` The plan names the table ${printed}; if that is an alias in the statement, put the table's own name in its place (MySQL and MariaDB print the alias).`,
  };
}

/** A column reference as the servers print it: `col`, `t.col` or MySQL 8's `` `db`.`t`.`col` ``. */
const REF = String.raw`(?:(?:${NAME})\.){0,2}(?:${NAME})`;
const PART = new RegExp(NAME, "g");
// Not inside or after another name, nor after MySQL's `<cache>`-style markers (`<cache>(` is no comparison).
const REF_START = String.raw`(?<![\w$\x60.<])`;
const OPERATOR = "<=>|<=|>=|=|<(?![>=])|>(?!=)";
/** `ref op ...`: the column on the left, any operator. */
const LEFT = new RegExp(
  String.raw`${REF_START}(${REF})\s*(${OPERATOR}|\bbetween\b|\blike\b|\bin\s*\()`,
  "gi",
);
/** `... op t.ref`: a qualified column on the right (`<cache>(t1.i) = t2.i`, `t2.a = t1.a`). */
const RIGHT = new RegExp(String.raw`(?<![<>!=])(${OPERATOR})\s*(${REF})(?![\w$\x60.(])`, "gi");

/** [table or null, column] of a reference; the database part of `db.t.col` is dropped. */
function refParts(ref: string): [string | null, string] {
  const parts = [...ref.matchAll(PART)].map((m) => unquote(m[0]));
  return [parts.length > 1 ? (parts[parts.length - 2] as string) : null, parts[parts.length - 1] as string];
}

/**
 * Columns of `alias` compared in a condition, equalities first (they lead an index), then one range column:
 * `o.customer_id = 7 and o.created_at > ...` gives [customer_id, created_at]. A column is read on either side
 * of the operator and with any qualifier MySQL 8 prints (`` `db`.`o`.`customer_id` ``); the table part is
 * compared without case, as a server with lower_case_table_names prints it (`country` for `Country`). Names
 * the condition quotes as text and other tables' columns are left out.
 */
export function conditionColumns(condition: string, alias: string): string[] {
  const equal: string[] = [];
  const range: string[] = [];
  const stripped = condition.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  const add = (ref: string, operator: string, qualifiedOnly: boolean) => {
    const [table, column] = refParts(ref);
    if (table === null ? qualifiedOnly : table.toLowerCase() !== alias.toLowerCase()) return;
    if (/^(and|or|not|is|null|true|false|convert|concat|using)$/i.test(column)) return;
    const op = operator.toLowerCase();
    const target = op === "=" || op === "<=>" || op.startsWith("in") ? equal : range;
    if (!equal.includes(column) && !range.includes(column)) target.push(column);
  };
  const found: [number, string, string, boolean][] = [];
  for (const m of stripped.matchAll(LEFT)) found.push([m.index, m[1] as string, m[2] as string, false]);
  for (const m of stripped.matchAll(RIGHT)) {
    found.push([m.index + m[0].length - (m[2] as string).length, m[2] as string, m[1] as string, true]);
  }
  // In the order the condition names them, so the first equality leads the index.
  found.sort((a, b) => a[0] - b[0]);
  for (const [, ref, op, qualifiedOnly] of found) add(ref, op, qualifiedOnly);
  return [...equal, ...range.slice(0, 1)];
}

/** `ALTER TABLE t ADD INDEX t_a_b_idx (a, b), ALGORITHM=INPLACE, LOCK=NONE`: an online build on InnoDB. */
export function addIndexSql(table: string, columns: string[]): SqlText {
  const name = `${table}_${columns.join("_")}_idx`.slice(0, 64);
  return sql`ALTER TABLE ${mysqlIdent(table)} ADD INDEX ${mysqlIdent(name)} (${list(columns.map(mysqlIdent))}), ALGORITHM=INPLACE, LOCK=NONE`;
}
